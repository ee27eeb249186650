// Two tasks that pass at the same moment merge into the one run worktree: the merges must not overlap.
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace } from '../../src/workspace/workspace.js';
import { gitOk, initRepo, tempDir } from './support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('mergeTaskIntoRun under concurrency', () => {
  it('serialises concurrent merges into one run worktree, so both land (regression: the second merge failed on files the first was writing)', async () => {
    const { dir, cleanup } = await tempDir('merge');
    cleanups.push(cleanup);
    const repo = join(dir, 'repo');
    await initRepo(repo, { 'README.md': 'hello\n' });
    const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
    const leased = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
    if (leased.status !== 'acquired') throw new Error(leased.message);
    const tasks = ['a', 'b', 'c', 'd'];
    const branches: string[] = [];
    for (const taskId of tasks) {
      const tw = await ws.taskWorkspace({ runId: 'r1', taskId, epoch: 1, attemptId: `${taskId}.a1` });
      if (tw.status !== 'ready') throw new Error(tw.message);
      await mkdir(join(tw.worktree, 'src'), { recursive: true });
      // Enough files that a merge takes a while to check out.
      for (let i = 0; i < 40; i++) await writeFile(join(tw.worktree, 'src', `${taskId}-${i}.txt`), `${taskId} ${i}\n`);
      await ws.commitAttempt({ worktree: tw.worktree, attemptId: `${taskId}.a1`, message: `${taskId}: work` });
      branches.push(tw.branch);
    }
    const outcomes = await Promise.all(tasks.map((taskId, i) => ws.mergeTaskIntoRun({ runWorktree: leased.lease.worktree, taskBranch: branches[i] as string, taskId, epoch: 1 })));
    expect(outcomes.map((o) => o.status)).toEqual(['merged', 'merged', 'merged', 'merged']);
    const files = (await gitOk(leased.lease.worktree, ['ls-files', 'src'])).split('\n').filter((f) => f !== '');
    expect(files).toHaveLength(160);
  });

  it('prepares task worktrees concurrently (regression: git worktree list read a worktree another task was adding and failed)', async () => {
    const { dir, cleanup } = await tempDir('trees');
    cleanups.push(cleanup);
    const repo = join(dir, 'repo');
    await initRepo(repo, { 'README.md': 'hello\n' });
    const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
    const leased = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
    expect(leased.status).toBe('acquired');
    const tasks = Array.from({ length: 8 }, (_, i) => `t${i}`);
    const outcomes = await Promise.all(tasks.map((taskId) => ws.taskWorkspace({ runId: 'r1', taskId, epoch: 1, attemptId: `${taskId}.a1` })));
    expect(outcomes.map((o) => o.status)).toEqual(tasks.map(() => 'ready'));
  });
});

