import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeaseInfo } from '../../machines/run.types.js';
import { BuranError } from '../../src/domain/errors.js';
import { type Workspace, createGitWorkspace } from '../../src/workspace/workspace.js';
import { commitFiles, gitOk, initRepo, tempDir, writeFiles } from './support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Fixture {
  readonly repo: string;
  readonly store: string;
  readonly ws: Workspace;
}

/** A repo with the store inside it (the default `.buran` layout). */
async function setup(files: Record<string, string> = { 'README.md': 'hello\n', 'src/a.ts': 'export const a = 1;\n' }): Promise<Fixture> {
  const { dir, cleanup } = await tempDir('ws');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  await initRepo(repo, files);
  const store = join(repo, '.buran');
  return { repo, store, ws: createGitWorkspace({ repoRoot: repo, storeDir: store }) };
}

async function lease(ws: Workspace, runId: string, base = 'main'): Promise<LeaseInfo> {
  const outcome = await ws.leaseRunWorkspace({ runId, base });
  if (outcome.status !== 'acquired') throw new Error(`lease failed: ${outcome.message}`);
  return outcome.lease;
}

async function taskTree(ws: Workspace, runId: string, taskId: string, epoch = 1): Promise<string> {
  const outcome = await ws.taskWorkspace({ runId, taskId, epoch, attemptId: `${taskId}.a${epoch}` });
  if (outcome.status !== 'ready') throw new Error(`task workspace conflict: ${outcome.message}`);
  return outcome.worktree;
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** Everything about the user's checkout a buran operation could disturb. */
async function userCheckout(repo: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(repo, path);
      if (rel === '.git' || rel === '.buran') continue;
      if (entry.isDirectory()) await walk(path);
      else files[rel] = `${createHash('sha256').update(await readFile(path)).digest('hex')} ${(await stat(path)).mtimeMs}`;
    }
  };
  await walk(repo);
  return {
    head: await gitOk(repo, ['rev-parse', 'HEAD']),
    symbolicHead: await gitOk(repo, ['symbolic-ref', 'HEAD']),
    status: await gitOk(repo, ['status', '--porcelain=v1', '-z', '--untracked-files=all']),
    index: await gitOk(repo, ['ls-files', '--stage', '-z']),
    staged: await gitOk(repo, ['diff', '--cached']),
    unstaged: await gitOk(repo, ['diff']),
    files: JSON.stringify(files),
  };
}

describe('run workspace lease', () => {
  it('leases a worktree on buran/<runId> from the base commit and re-attaches to the same lease', async () => {
    const { repo, store, ws } = await setup();
    const main = await gitOk(repo, ['rev-parse', 'main']);
    await gitOk(repo, ['branch', 'feature', 'main']);

    const first = await lease(ws, 'r1', 'feature');
    expect(first).toEqual({ branch: 'buran/r1', worktree: join(store, 'worktrees', 'r1', 'run'), baseCommit: main });
    expect(await gitOk(first.worktree, ['rev-parse', 'HEAD'])).toBe(main);
    expect(await gitOk(first.worktree, ['symbolic-ref', '--short', 'HEAD'])).toBe('buran/r1');

    // Move `feature` without touching any checkout: the lease keeps the commit it resolved first.
    const moved = await gitOk(repo, ['commit-tree', 'HEAD^{tree}', '-p', 'HEAD', '-m', 'moved']);
    await gitOk(repo, ['branch', '-f', 'feature', moved]);
    expect(await lease(ws, 'r1', 'feature')).toEqual(first);
    // A fresh port instance (a restarted runner) re-attaches too.
    expect(await lease(createGitWorkspace({ repoRoot: repo, storeDir: store }), 'r1', 'feature')).toEqual(first);
  });

  it('never touches the user checkout: HEAD, index, status and files stay as they were through a whole run', async () => {
    const { repo, ws } = await setup();
    // The user is mid-work: an unstaged edit, a staged new file, an untracked file.
    await writeFile(join(repo, 'README.md'), 'hello, edited\n');
    await writeFiles(repo, { 'staged.txt': 'staged\n', 'untracked.txt': 'mine\n' });
    await gitOk(repo, ['add', '--', 'staged.txt']);
    // A user hook that would fail (or rewrite files) must not run inside buran's commits.
    await writeFiles(repo, { '.git/hooks/pre-commit': '#!/bin/sh\nexit 1\n', '.git/hooks/post-checkout': '#!/bin/sh\necho hooked > hooked.txt\n' });
    await chmod(join(repo, '.git/hooks/pre-commit'), 0o755);
    await chmod(join(repo, '.git/hooks/post-checkout'), 0o755);
    const before = await userCheckout(repo);

    // As if buran were started from a git hook: GIT_DIR points at the user's repository.
    const saved = { dir: process.env['GIT_DIR'], tree: process.env['GIT_WORK_TREE'] };
    process.env['GIT_DIR'] = join(repo, '.git');
    process.env['GIT_WORK_TREE'] = repo;
    try {
      const run = await lease(ws, 'r1');
      const task = await taskTree(ws, 'r1', 't1');
      await writeFiles(task, { 'src/b.ts': 'export const b = 2;\n' });
      expect(await ws.commitAttempt({ worktree: task, attemptId: 't1.a1', message: 'add b' })).toMatchObject({ committed: true, changedFiles: ['src/b.ts'] });
      await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/t1', taskId: 't1', epoch: 1 });
      expect(existsSync(join(task, 'hooked.txt'))).toBe(false);
      await ws.releaseRunWorkspace('r1');
    } finally {
      restoreEnv('GIT_DIR', saved.dir);
      restoreEnv('GIT_WORK_TREE', saved.tree);
    }

    expect(await userCheckout(repo)).toEqual(before);
  });

  it('refuses a different base for a leased run, and a branch it did not create', async () => {
    const { repo, ws } = await setup();
    await lease(ws, 'r1', 'main');
    const other = await ws.leaseRunWorkspace({ runId: 'r1', base: 'HEAD' });
    expect(other).toMatchObject({ status: 'conflict', details: { runId: 'r1', leasedBase: 'main' } });

    await gitOk(repo, ['branch', 'buran/r2', 'main']);
    const taken = await ws.leaseRunWorkspace({ runId: 'r2', base: 'main' });
    expect(taken).toMatchObject({ status: 'conflict', message: expect.stringContaining('already exists') as unknown });

    const missing = await ws.leaseRunWorkspace({ runId: 'r3', base: 'no-such-ref' });
    expect(missing).toMatchObject({ status: 'conflict', message: expect.stringContaining('does not resolve') as unknown });
  });

  it('throws not_a_git_repo outside a repository and invalid_input for an unsafe run id', async () => {
    const { dir, cleanup } = await tempDir('norepo');
    cleanups.push(cleanup);
    const ws = createGitWorkspace({ repoRoot: dir, storeDir: join(dir, 'store') });
    await expect(ws.leaseRunWorkspace({ runId: 'r1', base: 'main' })).rejects.toMatchObject({ code: 'not_a_git_repo' });
    const { ws: good } = await setup();
    await expect(good.leaseRunWorkspace({ runId: '../escape', base: 'main' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(good.leaseRunWorkspace({ runId: '-rf', base: 'main' })).rejects.toBeInstanceOf(BuranError);
  });

  it('re-creates a run worktree deleted by hand, on the same branch and commit', async () => {
    const { ws } = await setup();
    const first = await lease(ws, 'r1');
    await rm(first.worktree, { recursive: true, force: true });
    expect(await lease(ws, 'r1')).toEqual(first);
    expect(existsSync(join(first.worktree, 'README.md'))).toBe(true);
  });
});

describe('task workspaces', () => {
  it('start from the run branch as it stands now, so a task sees its dependency merged before it', async () => {
    const { ws } = await setup();
    const run = await lease(ws, 'r1');
    const first = await taskTree(ws, 'r1', 'dep');
    await writeFiles(first, { 'src/dep.ts': 'export const dep = true;\n' });
    await ws.commitAttempt({ worktree: first, attemptId: 'dep.a1', message: 'dep' });
    expect(await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/dep', taskId: 'dep', epoch: 1 })).toMatchObject({ status: 'merged' });

    const next = await taskTree(ws, 'r1', 'next');
    expect(await readFile(join(next, 'src/dep.ts'), 'utf8')).toBe('export const dep = true;\n');
    expect(await gitOk(next, ['symbolic-ref', '--short', 'HEAD'])).toBe('buran-task/r1/next');
    // Idempotent: asking again returns the same worktree at the same commit.
    const head = await gitOk(next, ['rev-parse', 'HEAD']);
    const again = await ws.taskWorkspace({ runId: 'r1', taskId: 'next', epoch: 1, attemptId: 'next.a2' });
    expect(again).toEqual({ status: 'ready', branch: 'buran-task/r1/next', worktree: next });
    expect(await gitOk(next, ['rev-parse', 'HEAD'])).toBe(head);
  });

  it('in a fix round continues from the task tip and merges the run branch tip into it', async () => {
    const { ws } = await setup();
    const run = await lease(ws, 'r1');
    const a = await taskTree(ws, 'r1', 'a');
    const b = await taskTree(ws, 'r1', 'b');
    await writeFiles(a, { 'src/a2.ts': 'a2\n' });
    await ws.commitAttempt({ worktree: a, attemptId: 'a.a1', message: 'a' });
    await writeFiles(b, { 'src/b.ts': 'b\n' });
    const bCommit = await ws.commitAttempt({ worktree: b, attemptId: 'b.a1', message: 'b' });
    await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/a', taskId: 'a', epoch: 1 });

    const fix = await ws.taskWorkspace({ runId: 'r1', taskId: 'b', epoch: 2, attemptId: 'b.a2' });
    expect(fix.status).toBe('ready');
    expect(await readFile(join(b, 'src/a2.ts'), 'utf8')).toBe('a2\n');
    expect(await readFile(join(b, 'src/b.ts'), 'utf8')).toBe('b\n');
    if (!bCommit.committed) throw new Error('expected a commit');
    expect((await gitOk(b, ['merge-base', '--is-ancestor', bCommit.commit, 'HEAD']).then(() => true))).toBe(true);
    // The review diff of the fix counts only the task's own changes, not what it merged in.
    expect(await ws.changedFilesSince(b, 'buran/r1')).toEqual([{ path: 'src/b.ts', status: 'added' }]);
  });

  it('returns a conflict for a fix round whose merge of the run tip conflicts, and leaves the task worktree clean', async () => {
    const { ws } = await setup({ 'shared.txt': 'one\n' });
    const run = await lease(ws, 'r1');
    const a = await taskTree(ws, 'r1', 'a');
    const b = await taskTree(ws, 'r1', 'b');
    await writeFiles(a, { 'shared.txt': 'from a\n' });
    await ws.commitAttempt({ worktree: a, attemptId: 'a.a1', message: 'a' });
    await writeFiles(b, { 'shared.txt': 'from b\n' });
    await ws.commitAttempt({ worktree: b, attemptId: 'b.a1', message: 'b' });
    await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/a', taskId: 'a', epoch: 1 });
    const head = await gitOk(b, ['rev-parse', 'HEAD']);

    const fix = await ws.taskWorkspace({ runId: 'r1', taskId: 'b', epoch: 2, attemptId: 'b.a2' });
    expect(fix).toMatchObject({ status: 'conflict', files: ['shared.txt'] });
    expect(await gitOk(b, ['status', '--porcelain'])).toBe('');
    expect(await gitOk(b, ['rev-parse', 'HEAD'])).toBe(head);
  });

  it('needs a leased run', async () => {
    const { ws } = await setup();
    await expect(ws.taskWorkspace({ runId: 'nope', taskId: 't', epoch: 1, attemptId: 't.a1' })).rejects.toMatchObject({ code: 'lease_lost' });
  });
});

describe('commitAttempt', () => {
  it('commits one commit per attempt with a Buran-Attempt trailer, and a repeat returns that commit', async () => {
    const { ws } = await setup();
    await lease(ws, 'r1');
    const tree = await taskTree(ws, 'r1', 't');
    await writeFiles(tree, { '.gitignore': 'build/\n', 'build/out.js': 'ignored', 'src/a.ts': 'export const a = 2;\nexport const z = 3;\n', 'src/new.ts': 'new\n' });
    await unlink(join(tree, 'README.md'));
    const before = await gitOk(tree, ['rev-list', '--count', 'HEAD']);

    const first = await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 'implement t\n\nBuran-Attempt: t.a9' });
    expect(first).toMatchObject({
      committed: true,
      reused: false,
      changedFiles: ['.gitignore', 'README.md', 'src/a.ts', 'src/new.ts'],
      diffstat: { filesChanged: 4, insertions: 4, deletions: 2 },
    });
    if (!first.committed) throw new Error('expected a commit');
    expect((await gitOk(tree, ['log', '-1', '--format=%(trailers:key=Buran-Attempt,valueonly)'])).trim()).toBe('t.a1');
    expect(await gitOk(tree, ['log', '-1', '--format=%an <%ae>'])).toBe('buran <buran@localhost>');
    expect(await gitOk(tree, ['ls-files', 'build'])).toBe('');

    const again = await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 'implement t' });
    expect(again).toEqual({ ...first, reused: true });
    expect(Number(await gitOk(tree, ['rev-list', '--count', 'HEAD']))).toBe(Number(before) + 1);
  });

  it('makes no commit when nothing changed, and does not take a look-alike attempt id for its own', async () => {
    const { ws } = await setup();
    await lease(ws, 'r1');
    const tree = await taskTree(ws, 'r1', 't');
    const head = await gitOk(tree, ['rev-parse', 'HEAD']);
    expect(await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 'nothing' })).toEqual({ committed: false, head });

    await writeFiles(tree, { 'src/x.ts': 'x\n' });
    await ws.commitAttempt({ worktree: tree, attemptId: 't.a10', message: 'x' });
    await writeFiles(tree, { 'src/y.ts': 'y\n' });
    expect(await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 'y' })).toMatchObject({ committed: true, reused: false, changedFiles: ['src/y.ts'] });
  });

  it("refuses to commit in the user's own checkout", async () => {
    const { repo, ws } = await setup();
    await lease(ws, 'r1');
    await writeFiles(repo, { 'mine.txt': 'user work\n' });
    await expect(ws.commitAttempt({ worktree: repo, attemptId: 't.a1', message: 'x' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await gitOk(repo, ['status', '--porcelain'])).toBe('?? mine.txt');
  });
});

describe('changed files and diff lines', () => {
  it('reports added, modified and deleted files and the added line numbers', async () => {
    const { ws } = await setup({ 'a.txt': '1\n2\n3\n4\n', 'gone.txt': 'x\n', 'dir with space/f.txt': 'f\n' });
    const run = await lease(ws, 'r1');
    const tree = await taskTree(ws, 'r1', 't');
    await writeFiles(tree, { 'a.txt': '1\nTWO\n3\n4\nfive\n', 'new.txt': 'n1\nn2\n', 'dir with space/f.txt': 'f\n-- not a header\n' });
    await unlink(join(tree, 'gone.txt'));
    await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 'change' });

    expect(await ws.changedFilesSince(tree, run.baseCommit)).toEqual([
      { path: 'a.txt', status: 'modified' },
      { path: 'dir with space/f.txt', status: 'modified' },
      { path: 'gone.txt', status: 'deleted' },
      { path: 'new.txt', status: 'added' },
    ]);
    expect(await ws.diffLinesSince(tree, run.baseCommit)).toEqual([
      { path: 'a.txt', addedLines: [2, 5] },
      { path: 'dir with space/f.txt', addedLines: [2] },
      { path: 'gone.txt', addedLines: [] },
      { path: 'new.txt', addedLines: [1, 2] },
    ]);
    expect(await ws.diffForFile(tree, run.baseCommit, 'a.txt')).toEqual({ path: 'a.txt', addedLines: [2, 5] });
    expect(await ws.diffForFile(tree, run.baseCommit, 'README.md')).toEqual({ path: 'README.md', addedLines: [] });
  });
});

describe('mergeTaskIntoRun', () => {
  it('merges a task cleanly, and merging the same tip again returns the current commit', async () => {
    const { ws } = await setup();
    const run = await lease(ws, 'r1');
    const tree = await taskTree(ws, 'r1', 't');
    await writeFiles(tree, { 'src/t.ts': 't\n' });
    await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 't' });

    const merged = await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/t', taskId: 't', epoch: 1 });
    expect(merged).toEqual({ status: 'merged', commit: await gitOk(run.worktree, ['rev-parse', 'HEAD']) });
    expect(await gitOk(run.worktree, ['log', '-1', '--format=%P'])).toContain(' ');
    expect((await gitOk(run.worktree, ['log', '-1', '--format=%(trailers:key=Buran-Task,valueonly)'])).trim()).toBe('t');
    expect(await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/t', taskId: 't', epoch: 1 })).toEqual(merged);
  });

  it('returns the conflicting files and aborts, leaving the run worktree clean at its previous commit', async () => {
    const { ws } = await setup({ 'shared.txt': 'one\n', 'other.txt': 'o\n' });
    const run = await lease(ws, 'r1');
    const a = await taskTree(ws, 'r1', 'a');
    const b = await taskTree(ws, 'r1', 'b');
    await writeFiles(a, { 'shared.txt': 'from a\n' });
    await ws.commitAttempt({ worktree: a, attemptId: 'a.a1', message: 'a' });
    await writeFiles(b, { 'shared.txt': 'from b\n', 'other.txt': 'from b\n' });
    await ws.commitAttempt({ worktree: b, attemptId: 'b.a1', message: 'b' });
    await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/a', taskId: 'a', epoch: 1 });
    const head = await gitOk(run.worktree, ['rev-parse', 'HEAD']);

    const outcome = await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/b', taskId: 'b', epoch: 1 });
    expect(outcome).toMatchObject({ status: 'conflict', files: ['shared.txt'], message: expect.stringContaining('CONFLICT') as unknown });
    expect(await gitOk(run.worktree, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect(await gitOk(run.worktree, ['rev-parse', 'HEAD'])).toBe(head);
    expect(existsSync(join(run.worktree, '.git'))).toBe(true);
    expect(await readFile(join(run.worktree, 'other.txt'), 'utf8')).toBe('o\n');
  });
});

describe('releaseRunWorkspace', () => {
  it('removes the worktrees and keeps the branches; a later lease re-attaches', async () => {
    const { repo, ws } = await setup();
    const run = await lease(ws, 'r1');
    const tree = await taskTree(ws, 'r1', 't');
    await writeFiles(tree, { 'src/t.ts': 't\n', 'scratch.log': 'untracked junk' });
    await ws.commitAttempt({ worktree: tree, attemptId: 't.a1', message: 't' });
    await ws.mergeTaskIntoRun({ runWorktree: run.worktree, taskBranch: 'buran-task/r1/t', taskId: 't', epoch: 1 });
    await writeFiles(run.worktree, { 'dirty.txt': 'left behind' });
    const runTip = await gitOk(repo, ['rev-parse', 'buran/r1']);

    await ws.releaseRunWorkspace('r1');
    await ws.releaseRunWorkspace('r1');
    expect(existsSync(run.worktree)).toBe(false);
    expect(existsSync(tree)).toBe(false);
    expect(await gitOk(repo, ['worktree', 'list', '--porcelain'])).not.toContain('.buran');
    expect(await gitOk(repo, ['rev-parse', 'buran/r1'])).toBe(runTip);
    expect(await gitOk(repo, ['branch', '--list', 'buran-task/r1/t'])).toContain('buran-task/r1/t');

    const again = await lease(ws, 'r1');
    expect(again).toEqual(run);
    expect(await gitOk(again.worktree, ['rev-parse', 'HEAD'])).toBe(runTip);
  });

  it('works with the store outside the repository too', async () => {
    const { dir, cleanup } = await tempDir('outside');
    cleanups.push(cleanup);
    const repo = join(dir, 'repo');
    await initRepo(repo, { 'a.txt': 'a\n' });
    const first = await gitOk(repo, ['rev-parse', 'HEAD']);
    await commitFiles(repo, { 'b.txt': 'b\n' }, 'second');
    const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(dir, 'store') });
    const run = await lease(ws, 'r1', first);
    expect(run.worktree.startsWith(join(dir, 'store'))).toBe(true);
    expect(existsSync(join(run.worktree, 'b.txt'))).toBe(false);
    await ws.releaseRunWorkspace('r1');
    expect(existsSync(run.worktree)).toBe(false);
  });
});
