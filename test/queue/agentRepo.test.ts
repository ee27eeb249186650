// The worker agent's git on real repositories: a bare clone per remote, a
// detached worktree at a commit that is only on the remote, one commit per
// attempt pushed to its ref (never forced), and the clone fingerprint.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addWorktree, cloneFingerprint, commitAttempt, ensureClone, fetchCommit, pushAttempt, removeWorktree, untrackedPaths } from '../../src/queue/agentRepo.js';
import { BURAN_IDENTITY } from '../../src/workspace/git.js';
import { git } from '../engine/fixtures/project.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function remoteWithCommit(): { root: string; seed: string; remote: string; base: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'buran-agent-repo-')));
  folders.push(root);
  const seed = join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  writeFileSync(join(seed, 'README.md'), '# seed\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'seed');
  const remote = join(root, 'remote.git');
  git(root, 'clone', '-q', '--bare', seed, remote);
  return { root, seed, remote, base: git(seed, 'rev-parse', 'HEAD').trim() };
}

describe("the worker agent's git", () => {
  it("lists what setup left untracked (a folder as one path) and leaves it out of the attempt's commit, a file the worker wrote there too", async () => {
    const { root, remote, base } = remoteWithCommit();
    const dir = join(root, 'agent');
    const repo = await ensureClone(dir, remote);
    const worktree = join(dir, 'work', 'worktrees', 'a.a1');
    await addWorktree(repo, worktree, base);
    expect(await untrackedPaths(repo, worktree)).toEqual([]);
    // What setup made: an installed folder and a copied file.
    mkdirSync(join(worktree, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(worktree, 'node_modules', 'dep', 'index.js'), 'x\n');
    writeFileSync(join(worktree, '.env'), 'A=1\n');
    const outputs = await untrackedPaths(repo, worktree);
    expect(outputs).toEqual(['.env', 'node_modules']);
    // The worker's work, and a file it wrote inside setup's folder.
    writeFileSync(join(worktree, 'work.txt'), 'done\n');
    writeFileSync(join(worktree, 'node_modules', 'mine.js'), 'y\n');
    const commit = await commitAttempt(repo, worktree, { attemptId: 'a.a1', runId: 'r1', message: 'a: did it', identity: BURAN_IDENTITY, exclude: outputs });
    expect(commit?.changedFiles).toEqual(['work.txt']);
    expect(git(root, '--git-dir', repo.gitDir, 'ls-tree', '-r', '--name-only', commit?.commit ?? 'HEAD').trim().split('\n')).toEqual(['README.md', 'work.txt']);
  });

  it('clones once, fetches a commit pushed later, and commits an attempt at it that lands on refs/buran/attempts/<id>', async () => {
    const { root, seed, remote, base } = remoteWithCommit();
    const dir = join(root, 'agent');
    const repo = await ensureClone(dir, remote);
    expect(await ensureClone(dir, remote)).toEqual(repo);
    // A commit the clone has not seen yet (the runner pushed the task's base after the clone was made).
    writeFileSync(join(seed, 'later.txt'), 'later\n');
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', 'later');
    git(seed, 'push', '-q', remote, 'main');
    const later = git(seed, 'rev-parse', 'HEAD').trim();
    await fetchCommit(repo, later);
    const worktree = join(dir, 'work', 'worktrees', 'a.a1');
    await addWorktree(repo, worktree, later);
    expect(git(worktree, 'rev-parse', 'HEAD').trim()).toBe(later);
    expect(await commitAttempt(repo, worktree, { attemptId: 'a.a1', runId: 'r1', message: 'a: nothing', identity: BURAN_IDENTITY })).toBeNull();
    writeFileSync(join(worktree, 'work.txt'), 'done\n');
    const commit = await commitAttempt(repo, worktree, { attemptId: 'a.a1', runId: 'r1', message: 'a: did it', identity: BURAN_IDENTITY });
    expect(commit?.changedFiles).toEqual(['work.txt']);
    if (commit === null) return;
    await pushAttempt(repo, 'a.a1', commit.commit);
    expect(git(root, '--git-dir', remote, 'rev-parse', 'refs/buran/attempts/a.a1').trim()).toBe(commit.commit);
    expect(git(root, '--git-dir', remote, 'log', '-1', '--format=%P%n%(trailers:key=Buran-Attempt,valueonly)%(trailers:key=Buran-Run,valueonly)', commit.commit).trim().split('\n')).toEqual([later, 'a.a1', 'r1']);
    // A different commit for the same attempt is never forced over the first.
    await removeWorktree(repo, worktree);
    await addWorktree(repo, worktree, base);
    writeFileSync(join(worktree, 'other.txt'), 'other\n');
    const other = await commitAttempt(repo, worktree, { attemptId: 'a.a1', runId: 'r1', message: 'a: again', identity: BURAN_IDENTITY });
    if (other === null) throw new Error('nothing committed');
    await expect(pushAttempt(repo, 'a.a1', other.commit)).rejects.toThrow(/push/);
    expect(git(root, '--git-dir', remote, 'rev-parse', 'refs/buran/attempts/a.a1').trim()).toBe(commit.commit);
  });

  it("a worktree whose .git file a worker redirected to a repository it planted: the commit still goes to the clone, and the planted config's filter never runs", async () => {
    const { root, remote, base } = remoteWithCommit();
    const dir = join(root, 'agent');
    const repo = await ensureClone(dir, remote);
    const worktree = join(dir, 'work', 'worktrees', 'b.a1');
    await addWorktree(repo, worktree, base);
    // The worker (sandbox none: it writes where the agent's user can) plants a repository whose config defines a filter that
    // runs its code, points the worktree's .git at it, and asks for the filter.
    const planted = join(root, 'planted');
    git(root, 'init', '-q', planted);
    const marker = join(root, 'filter-ran');
    writeFileSync(join(planted, '.git', 'config'), `[filter "evil"]\n\tclean = sh -c 'touch ${marker}; cat'\n`, { flag: 'a' });
    writeFileSync(join(worktree, '.git'), `gitdir: ${join(planted, '.git')}\n`);
    writeFileSync(join(worktree, '.gitattributes'), '* filter=evil\n');
    writeFileSync(join(worktree, 'work.txt'), 'done\n');
    const commit = await commitAttempt(repo, worktree, { attemptId: 'b.a1', runId: 'r1', message: 'b: did it', identity: BURAN_IDENTITY });
    expect(existsSync(marker)).toBe(false);
    if (commit === null) throw new Error('nothing committed');
    expect(git(root, '--git-dir', repo.gitDir, 'cat-file', '-t', commit.commit).trim()).toBe('commit');
    expect(git(root, '--git-dir', repo.gitDir, 'rev-parse', `${commit.commit}^1`).trim()).toBe(base);
  });

  it("the clone's fingerprint changes when its config or attributes change", async () => {
    const { root, remote } = remoteWithCommit();
    const repo = await ensureClone(join(root, 'agent'), remote);
    const before = cloneFingerprint(repo);
    expect(cloneFingerprint(repo)).toBe(before);
    writeFileSync(join(repo.gitDir, 'config'), '[core]\n\tfsmonitor = ./evil\n', { flag: 'a' });
    expect(cloneFingerprint(repo)).not.toBe(before);
  });
});
