import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitWorkspace } from '../../src/workspace/workspace.js';
import { gitOk, initRepo, tempDir, writeFiles } from './support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function taskWorktree() {
  const { dir, cleanup } = await tempDir('setup-outputs');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  await initRepo(repo, { 'README.md': 'hello\n', '.gitignore': 'node_modules/\n' });
  const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
  const leased = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
  if (leased.status !== 'acquired') throw new Error(leased.message);
  const tw = await ws.taskWorkspace({ runId: 'r1', taskId: 't', epoch: 1, attemptId: 't.a1' });
  if (tw.status !== 'ready') throw new Error(tw.message);
  return { repo, ws, tree: tw.worktree };
}

describe('setup outputs in a task worktree', () => {
  it('lists what git would add: a symlink a trailing-slash ignore rule misses, a copied .env, a new folder as one entry', async () => {
    const { repo, ws, tree } = await taskWorktree();
    await symlink(join(repo, 'README.md'), join(tree, 'node_modules'));
    await writeFiles(tree, { '.env': 'TOKEN=x\n', '.venv/bin/python': '#!', 'node_modules_real/x.js': '' });
    expect(await ws.untrackedPaths(tree)).toEqual(['.env', '.venv', 'node_modules', 'node_modules_real']);
  });

  it('leaves excluded paths out of the attempt commit and commits the rest', async () => {
    const { repo, ws, tree } = await taskWorktree();
    await symlink(join(repo, 'README.md'), join(tree, 'node_modules'));
    await writeFiles(tree, { '.env': 'TOKEN=x\n', '.venv/bin/python': '#!' });
    const exclude = await ws.untrackedPaths(tree);
    await writeFiles(tree, { 'src/work.ts': 'export {};\n' });
    const commit = await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 'work', exclude });
    expect(commit).toMatchObject({ committed: true, changedFiles: ['src/work.ts'] });
    expect((await gitOk(tree, ['ls-files'])).trim().split('\n').sort()).toEqual(['.gitignore', 'README.md', 'src/work.ts']);
  });
});
