// An attempt that ran on another machine comes back through the run's git
// remote: the task's base is published there, and only the commit the
// accepted job result names is taken, as a child of that base, naming its
// attempt, without submodule entries. Real repositories throughout; the
// "agent" is a plain clone that pushes what a hostile worker could push.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Workspace, createGitWorkspace } from '../../src/workspace/workspace.js';
import { commitFiles, gitOk, initRepo, tempDir } from './support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Fixture {
  readonly ws: Workspace;
  readonly worktree: string;
  readonly base: string;
  readonly remote: string;
  readonly agent: string;
}

async function setup(): Promise<Fixture> {
  const { dir, cleanup } = await tempDir('remote-attempt');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  await initRepo(repo, { 'README.md': 'hello\n' });
  const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
  const leased = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
  if (leased.status !== 'acquired') throw new Error(leased.message);
  const tw = await ws.taskWorkspace({ runId: 'r1', taskId: 'a', epoch: 1, attemptId: 'a.a1' });
  if (tw.status !== 'ready') throw new Error(tw.message);
  const base = (await gitOk(tw.worktree, ['rev-parse', 'HEAD'])).trim();
  const remote = join(dir, 'remote.git');
  await gitOk(dir, ['init', '-q', '--bare', remote]);
  await ws.publishCommit({ remote, commit: base, ref: 'refs/buran/bases/a.a1' });
  // The agent's side: a clone at the published base.
  const agent = join(dir, 'agent');
  await gitOk(dir, ['clone', '-q', remote, agent]);
  await gitOk(agent, ['fetch', '-q', 'origin', 'refs/buran/bases/a.a1']);
  await gitOk(agent, ['checkout', '-q', '--detach', base]);
  return { ws, worktree: tw.worktree, base, remote, agent };
}

/** A commit on `parent` in the agent's clone, pushed to refs/buran/attempts/<ref> (forced: a hostile agent may). */
async function push(f: Fixture, o: { readonly parent?: string; readonly files?: Record<string, string>; readonly trailer?: string; readonly ref?: string } = {}): Promise<string> {
  await gitOk(f.agent, ['checkout', '-q', '--detach', o.parent ?? f.base]);
  const commit = (await commitFiles(f.agent, o.files ?? { 'src/a.txt': 'ok\n' }, `a: work\n\nBuran-Attempt: ${o.trailer ?? 'a.a1'}`)).trim();
  await gitOk(f.agent, ['push', '-q', '-f', 'origin', `${commit}:refs/buran/attempts/${o.ref ?? 'a.a1'}`]);
  return commit;
}

const adopt = (f: Fixture, commit: string) => f.ws.adoptRemoteAttempt({ worktree: f.worktree, attemptId: 'a.a1', remote: f.remote, ref: 'refs/buran/attempts/a.a1', commit, base: f.base });
const head = async (f: Fixture) => (await gitOk(f.worktree, ['rev-parse', 'HEAD'])).trim();

describe('attempts from another machine', () => {
  it('the named commit, a child of the base, is fast-forwarded onto the task; again changes nothing', async () => {
    const f = await setup();
    expect((await gitOk(f.remote, ['--git-dir', f.remote, 'rev-parse', 'refs/buran/bases/a.a1'])).trim()).toBe(f.base);
    const commit = await push(f);
    expect(await adopt(f, commit)).toEqual({ status: 'adopted', commit, changedFiles: ['src/a.txt'] });
    expect(await head(f)).toBe(commit);
    expect(await adopt(f, commit)).toEqual({ status: 'adopted', commit, changedFiles: ['src/a.txt'] });
  });

  it('a ref that holds another commit than the accepted result names is refused (a worker with push rights moved it)', async () => {
    const f = await setup();
    const named = await push(f);
    await push(f, { files: { 'src/a.txt': 'swapped\n' } });
    const got = await adopt(f, named);
    expect(got).toMatchObject({ status: 'refused' });
    expect(got.status === 'refused' && got.reason).toContain('not the commit');
    expect(await head(f)).toBe(f.base);
  });

  it('a commit whose parent is not the base is refused (it would carry other history in)', async () => {
    const f = await setup();
    await gitOk(f.agent, ['checkout', '-q', '--detach', f.base]);
    const elsewhere = (await commitFiles(f.agent, { 'src/planted.txt': 'x\n' }, 'planted')).trim();
    const commit = await push(f, { parent: elsewhere });
    const got = await adopt(f, commit);
    expect(got.status === 'refused' && got.reason).toContain('not exactly the task');
    expect(await head(f)).toBe(f.base);
  });

  it("a commit that names another attempt is refused", async () => {
    const f = await setup();
    const commit = await push(f, { trailer: 'b.a1' });
    const got = await adopt(f, commit);
    expect(got.status === 'refused' && got.reason).toContain('names attempt b.a1');
    expect(await head(f)).toBe(f.base);
  });

  it('a commit with a submodule entry is refused and its path named', async () => {
    const f = await setup();
    await gitOk(f.agent, ['checkout', '-q', '--detach', f.base]);
    await gitOk(f.agent, ['update-index', '--add', '--cacheinfo', `160000,${f.base},vendor/evil`]);
    await gitOk(f.agent, ['commit', '-q', '--no-verify', '-m', 'a: sub\n\nBuran-Attempt: a.a1']);
    const commit = (await gitOk(f.agent, ['rev-parse', 'HEAD'])).trim();
    await gitOk(f.agent, ['push', '-q', '-f', 'origin', `${commit}:refs/buran/attempts/a.a1`]);
    const got = await adopt(f, commit);
    expect(got).toMatchObject({ status: 'refused', files: ['vendor/evil'] });
    expect(await head(f)).toBe(f.base);
  });

  it("a remote on this file system runs none of its own hooks when the base is published (its folder may be the workers' to write)", async () => {
    const f = await setup();
    const marker = join(f.agent, '..', 'hook-ran');
    for (const hook of ['pre-receive', 'update', 'post-receive', 'reference-transaction']) {
      writeFileSync(join(f.remote, 'hooks', hook), `#!/bin/sh\necho ${hook} >> ${marker}\n`, { mode: 0o755 });
    }
    await f.ws.publishCommit({ remote: f.remote, commit: f.base, ref: 'refs/buran/bases/a.a2' });
    expect((await gitOk(f.remote, ['--git-dir', f.remote, 'rev-parse', 'refs/buran/bases/a.a2'])).trim()).toBe(f.base);
    expect(existsSync(marker)).toBe(false);
    // The same hooks do run for an ordinary push (the check above can fail).
    await gitOk(f.agent, ['push', '-q', 'origin', `${f.base}:refs/buran/bases/a.a3`]);
    expect(existsSync(marker)).toBe(true);
  });

  it('nothing at the ref (the agent pushed nothing) is refused, not an error', async () => {
    const f = await setup();
    const got = await adopt(f, 'a'.repeat(40));
    expect(got.status === 'refused' && got.reason).toContain('nothing was pushed');
  });

  it('a remote that does not answer is unreachable (a retry may take the commit), not a refusal', async () => {
    const f = await setup();
    const got = await f.ws.adoptRemoteAttempt({ worktree: f.worktree, attemptId: 'a.a1', remote: join(f.remote, 'gone.git'), ref: 'refs/buran/attempts/a.a1', commit: 'a'.repeat(40), base: f.base });
    expect(got.status).toBe('unreachable');
    expect(await head(f)).toBe(f.base);
  });
});
