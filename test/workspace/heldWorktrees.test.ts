// What one workspace (one driver session) remembers of the lease and the task
// worktrees git showed it, and that anything a worker can do to them sends it
// back to git: a switched branch, a deleted run branch, a deleted worktree.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeaseInfo } from '../../machines/run.types.js';
import { type Workspace, createGitWorkspace } from '../../src/workspace/workspace.js';
import { gitOk, initRepo, tempDir, writeFiles } from './support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(): Promise<{ repo: string; ws: Workspace; run: LeaseInfo }> {
  const { dir, cleanup } = await tempDir('held');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  await initRepo(repo, { 'README.md': 'hello\n' });
  const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
  const outcome = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
  if (outcome.status !== 'acquired') throw new Error(outcome.message);
  return { repo, ws, run: outcome.lease };
}

async function taskTree(ws: Workspace, taskId: string): Promise<string> {
  const outcome = await ws.taskWorkspace({ runId: 'r1', taskId, epoch: 1, attemptId: `${taskId}.a1` });
  if (outcome.status !== 'ready') throw new Error(outcome.message);
  return outcome.worktree;
}

describe('held task worktrees', () => {
  it('are asked of git again once the worktree has another branch checked out: the step is refused, nothing is committed there', async () => {
    const { ws } = await setup();
    const tree = await taskTree(ws, 't');
    expect(await taskTree(ws, 't')).toBe(tree);
    // What an unconfined worker can do in its worktree.
    await gitOk(tree, ['checkout', '-q', '-b', 'elsewhere']);
    const refused: unknown = await ws.taskWorkspace({ runId: 'r1', taskId: 't', epoch: 1, attemptId: 't.a1' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'lease_lost' });
    expect(refused instanceof Error ? refused.message : '').toContain('elsewhere');
  });

  it('are lease_lost once the run branch is gone, whatever the step', async () => {
    const { repo, ws, run } = await setup();
    await taskTree(ws, 't');
    await gitOk(repo, ['update-ref', '-d', `refs/heads/${run.branch}`]);
    await expect(ws.taskWorkspace({ runId: 'r1', taskId: 't', epoch: 1, attemptId: 't.a1' })).rejects.toMatchObject({ code: 'lease_lost' });
  });

  it('are re-added when the worktree was deleted, on the same branch', async () => {
    const { ws } = await setup();
    const tree = await taskTree(ws, 't');
    await rm(tree, { recursive: true, force: true });
    expect(await taskTree(ws, 't')).toBe(tree);
    expect(existsSync(join(tree, 'README.md'))).toBe(true);
    expect(await gitOk(tree, ['symbolic-ref', '--short', 'HEAD'])).toBe('buran-task/r1/t');
  });

  it('are asked of git again in a new epoch: a fix round merges the run tip in', async () => {
    const { ws, run } = await setup();
    const tree = await taskTree(ws, 't');
    await writeFiles(run.worktree, { 'run.txt': 'r\n' });
    await gitOk(run.worktree, ['add', '--all']);
    await gitOk(run.worktree, ['commit', '-q', '-m', 'on the run branch']);
    expect(await ws.taskWorkspace({ runId: 'r1', taskId: 't', epoch: 2, attemptId: 't.a2' })).toMatchObject({ status: 'ready', worktree: tree });
    expect(existsSync(join(tree, 'run.txt'))).toBe(true);
  });
});

describe('a held lease', () => {
  it('is lost when the run branch is deleted: the lease is refused and a merge into it is lease_lost', async () => {
    const { repo, ws, run } = await setup();
    const tree = await taskTree(ws, 't');
    await writeFiles(tree, { 't.txt': 't\n' });
    await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 't' });
    await gitOk(repo, ['update-ref', '-d', `refs/heads/${run.branch}`]);
    expect(await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' })).toMatchObject({ status: 'conflict', details: { lost: 'branch' } });
    await expect(ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/t', taskId: 't', epoch: 1 })).rejects.toMatchObject({ code: 'lease_lost' });
  });

  it('is asked of git again when the run worktree has another branch checked out', async () => {
    const { ws, run } = await setup();
    await gitOk(run.worktree, ['checkout', '-q', '-b', 'elsewhere']);
    const outcome = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
    expect(outcome.status).toBe('conflict');
    expect(outcome.status === 'conflict' ? outcome.message : '').toContain('elsewhere');
  });

  it('does not hide a missing task branch from a merge: not_found', async () => {
    const { ws, run } = await setup();
    await expect(ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/none', taskId: 'none', epoch: 1 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('a review run again after its task merged', () => {
  it('still sees the changes the task made (a crash right after the merge restores the run before it)', async () => {
    const { ws, run } = await setup();
    const tree = await taskTree(ws, 't');
    await writeFiles(tree, { 't.txt': 'one\ntwo\n' });
    await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 't' });
    const before = await ws.changesSince(tree, 'buran/r1');
    expect(before.changedFiles).toEqual([{ path: 't.txt', status: 'added' }]);
    await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/t', taskId: 't', epoch: 1 });
    expect(await ws.changesSince(tree, 'buran/r1')).toEqual(before);
    expect(await ws.changedFilesSince(tree, 'buran/r1')).toEqual(before.changedFiles);
  });

  it('also in a fix round, after the task merged the run branch in', async () => {
    const { repo, ws, run } = await setup();
    const tree = await taskTree(ws, 't');
    await writeFiles(tree, { 't.txt': 'bad\n' });
    await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 't' });
    const other = await taskTree(ws, 'o');
    await writeFiles(other, { 'o.txt': 'o\n' });
    await ws.commitAttempt({ worktree: other, attemptId: 'o.a1', message: 'o' });
    await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/o', taskId: 'o', epoch: 1 });
    expect(await ws.taskWorkspace({ runId: 'r1', taskId: 't', epoch: 2, attemptId: 't.a2' })).toMatchObject({ status: 'ready' });
    await writeFiles(tree, { 't.txt': 'good\n' });
    await ws.commitAttempt({ worktree: tree, attemptId: 't.a2', message: 't fixed' });
    const before = await ws.changesSince(tree, 'buran/r1');
    expect(before.changedFiles).toEqual([{ path: 't.txt', status: 'added' }]);
    await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/t', taskId: 't', epoch: 2 });
    // A restarted driver (a new workspace) re-attaches for the review: the task branch must not take the run branch in again.
    const restarted = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
    expect(await restarted.taskWorkspace({ runId: 'r1', taskId: 't', epoch: 2, attemptId: 't.a2', update: false })).toMatchObject({ status: 'ready' });
    expect(await restarted.changesSince(tree, 'buran/r1')).toEqual(before);
  });

  it('a task that changed nothing still has no changes', async () => {
    const { ws } = await setup();
    const tree = await taskTree(ws, 't');
    expect(await ws.changesSince(tree, 'buran/r1')).toEqual({ changedFiles: [], diffLines: [] });
  });
});
