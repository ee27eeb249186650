// What prune plans and removes of a finished run's queued attempts on a real
// repository: the local refs holding their fetched commits, only while a ref
// still holds this run's attempt (a child of the recorded base: attempt ids
// repeat across runs), compared and deleted; nothing else in the repository.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPrune, planPrune } from '../../src/engine/prune.js';
import { createGitWorkspace } from '../../src/workspace/workspace.js';
import { commitFiles, gitOk, initRepo, tempDir } from '../workspace/support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup() {
  const { dir, cleanup } = await tempDir('prune-refs');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  const base = await initRepo(repo, { 'README.md': 'hello\n' });
  const other = await commitFiles(repo, { 'other.txt': 'x\n' }, 'another base');
  await gitOk(repo, ['reset', '-q', '--hard', base]);
  const child = async (parent: string, attemptId: string) => (await gitOk(repo, ['commit-tree', '-p', parent, '-m', `attempt\n\nBuran-Attempt: ${attemptId}`, `${parent}^{tree}`])).trim();
  const setRef = (ref: string, commit: string) => gitOk(repo, ['update-ref', ref, commit]);
  const refOf = async (ref: string) => (await gitOk(repo, ['for-each-ref', '--format=%(objectname)', ref])).trim();
  const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
  return { repo, base, other, child, setRef, refOf, ws };
}

describe('prune and the refs of fetched attempt commits', () => {
  it("a finished run's fetched refs are planned and deleted; another run's commit under the same attempt id, a ref of no record and the user's branches stay", async () => {
    const w = await setup();
    const mine = await w.child(w.base, 'a.a1');
    const theirs = await w.child(w.other, 'b.a1');
    const unrecorded = await w.child(w.base, 'c.a1');
    await w.setRef('refs/buran/fetched/a.a1', mine);
    await w.setRef('refs/buran/fetched/b.a1', theirs);
    await w.setRef('refs/buran/fetched/c.a1', unrecorded);
    const attempts = [
      { attemptId: 'a.a1', baseCommit: w.base },
      // Recorded by this run, but the ref now holds another run's attempt b.a1 (another base): not this run's to delete.
      { attemptId: 'b.a1', baseCommit: w.base },
      // Never fetched (the attempt failed on its agent): nothing to delete.
      { attemptId: 'd.a1', baseCommit: w.base },
    ];
    const sources = (stage: string) => ({ runs: [{ runId: 'r1' }], stageOf: () => Promise.resolve(stage), driven: () => Promise.resolve(false), queuedAttempts: () => attempts, workspace: w.ws });

    expect((await planPrune(sources('blocked'), false)).plans).toEqual([]);
    const { plans } = await planPrune(sources('cancelled'), false);
    expect(plans).toEqual([{ runId: 'r1', stage: 'cancelled', worktrees: [], branches: [], fetchedRefs: [{ ref: 'refs/buran/fetched/a.a1', commit: mine }], keptHandoff: null }]);
    await applyPrune(w.ws, plans);

    expect(await w.refOf('refs/buran/fetched/a.a1')).toBe('');
    expect(await w.refOf('refs/buran/fetched/b.a1')).toBe(theirs);
    expect(await w.refOf('refs/buran/fetched/c.a1')).toBe(unrecorded);
    expect(await w.refOf('refs/heads/main')).toBe(w.base);
    expect((await planPrune(sources('cancelled'), false)).plans).toEqual([]);
  });

  it('a ref that moved after the plan is left as it is (compare and delete); a name outside refs/buran/fetched/ is refused', async () => {
    const w = await setup();
    const planned = await w.child(w.base, 'a.a1');
    const since = await w.child(w.other, 'a.a1');
    await w.setRef('refs/buran/fetched/a.a1', since);
    await w.ws.deleteFetchedRefs([{ ref: 'refs/buran/fetched/a.a1', commit: planned }]);
    expect(await w.refOf('refs/buran/fetched/a.a1')).toBe(since);
    await expect(w.ws.deleteFetchedRefs([{ ref: 'refs/heads/main', commit: w.base }])).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(w.ws.deleteFetchedRefs([{ ref: 'refs/buran/fetched/../../heads/main', commit: w.base }])).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await w.refOf('refs/heads/main')).toBe(w.base);
  });
});
