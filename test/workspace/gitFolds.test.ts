// The git calls buran folds into one process, and the facts it reads from
// git's files instead of asking git, each checked against what git itself says.
import { execFileSync } from 'node:child_process';
import { realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommitSummary } from '../../src/workspace/attemptCommit.js';
import { parseStatusV2 } from '../../src/workspace/cleanCheckout.js';
import { parseNameStatus, parseRawWithPatch } from '../../src/workspace/diffParse.js';
import { parseShortstat } from '../../src/workspace/workspace.js';
import { isBuranBranchName, runBranchName, taskBranchName, workspaceIdProblem } from '../../src/workspace/layout.js';
import { worktreeGitDirs } from '../../src/workspace/worktreeGitDir.js';
import { commitFiles, gitOk, initRepo, tempDir, writeFiles } from './support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function repoWithHistory(): Promise<{ repo: string; base: string; head: string }> {
  const { dir, cleanup } = await tempDir('folds');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  const base = await initRepo(repo, { 'a.txt': '1\n2\n3\n', 'gone.txt': 'bye\n', 'mode.sh': 'echo\n' });
  await gitOk(repo, ['rm', '-q', 'gone.txt']);
  await gitOk(repo, ['update-index', '--chmod=+x', 'mode.sh']);
  await writeFile(join(repo, 'bin.dat'), Buffer.from([0, 1, 2, 0, 3]));
  const head = await commitFiles(repo, { 'a.txt': '1\nTWO\n3\n4\n', 'sp ace/ü n.txt': 'x\ny\n', 'q"uo\\te\tt.txt': 'q\n' }, 'change');
  return { repo, base, head };
}

describe('one diff for the review (--patch-with-raw)', () => {
  it('gives the same files and statuses as --name-status, and the same patch as a plain -U0 diff', async () => {
    const { repo, base, head } = await repoWithHistory();
    const flags = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--no-relative', '-U0', '--src-prefix=a/', '--dst-prefix=b/'];
    const folded = parseRawWithPatch(await gitOk(repo, ['diff', ...flags, '--patch-with-raw', '-z', base, head]));
    expect(folded.changedFiles).toEqual(parseNameStatus(await gitOk(repo, ['diff', ...flags, '--name-status', '-z', base, head])));
    expect(folded.changedFiles.map((f) => f.status)).toEqual(expect.arrayContaining(['added', 'deleted', 'modified']));
    expect(folded.patch).toBe(await gitOk(repo, ['diff', ...flags, base, head]));
  });

  it('reads an empty diff as no files and no patch', () => {
    expect(parseRawWithPatch('')).toEqual({ changedFiles: [], patch: '' });
  });
});

describe('one log for the attempt commit (--numstat)', () => {
  it('gives the commit, its tree, and the files and shortstat of its first-parent diff, binary files counted as git counts them', async () => {
    const { repo, base, head } = await repoWithHistory();
    const summary = parseCommitSummary(await gitOk(repo, ['log', '-1', '--diff-merges=first-parent', '--format=%H%x00%T%x00', '--numstat', '-z', '--no-renames', head, '--']));
    expect(summary?.commit).toBe(head);
    expect(summary?.tree).toBe(await gitOk(repo, ['rev-parse', `${head}^{tree}`]));
    const names = (await gitOk(repo, ['diff', '--no-renames', '--name-only', '-z', base, head])).split('\0').filter((f) => f !== '').sort();
    expect(summary?.changedFiles).toEqual(names);
    expect(summary?.diffstat).toEqual(parseShortstat(await gitOk(repo, ['diff', '--no-renames', '--shortstat', base, head])));
  });

  it('diffs a merge commit against its first parent, as `diff <commit>^1 <commit>` does', async () => {
    const { repo } = await repoWithHistory();
    await gitOk(repo, ['checkout', '-q', '-b', 'side', 'HEAD~1']);
    await commitFiles(repo, { 'side.txt': 's\n' }, 'side');
    await gitOk(repo, ['checkout', '-q', 'main']);
    await gitOk(repo, ['merge', '-q', '--no-ff', '-m', 'merge side', 'side']);
    const merge = await gitOk(repo, ['rev-parse', 'HEAD']);
    const summary = parseCommitSummary(await gitOk(repo, ['log', '-1', '--diff-merges=first-parent', '--format=%H%x00%T%x00', '--numstat', '-z', merge, '--']));
    expect(summary?.changedFiles).toEqual(['side.txt']);
    expect(summary?.diffstat).toEqual(parseShortstat(await gitOk(repo, ['diff', '--shortstat', `${merge}^1`, merge])));
  });

  it('refuses output of another shape', () => {
    expect(parseCommitSummary('not a commit')).toBeNull();
    expect(parseCommitSummary(`${'a'.repeat(40)}\0${'b'.repeat(40)}\0\0\nnot numstat\0`)).toBeNull();
  });
});

describe('status v2 as the proof of a clean checkout', () => {
  it('names the commit and lists every entry, untracked and ignored ones too', async () => {
    const { repo, head } = await repoWithHistory();
    const args = ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--ignored=matching', '--ignore-submodules=all'];
    expect(parseStatusV2(await gitOk(repo, args))).toEqual({ oid: head, entries: [] });
    await writeFiles(repo, { '.gitignore': 'ignored.txt\n', 'ignored.txt': 'i\n' });
    const dirty = parseStatusV2(await gitOk(repo, args));
    expect(dirty.oid).toBe(head);
    expect(dirty.entries.sort()).toEqual(['! ignored.txt', '? .gitignore']);
  });
});

describe('branch names buran makes are valid without asking git', () => {
  const ids = ['a', 'A9', '9a', 'a.b', 'a_b-c', 'x.locked', 'v1.2.3', 'a-', 'a_', 'Z'.repeat(128)];
  it('every run and task branch made of valid ids passes `git check-ref-format --branch`, taken literally', () => {
    for (const id of ids) expect(workspaceIdProblem(id)).toBeNull();
    const names = [...ids.map(runBranchName), ...ids.flatMap((r) => ids.slice(0, 4).map((t) => taskBranchName(r, t)))];
    for (const name of names) {
      expect(isBuranBranchName(name)).toBe(true);
      expect(execFileSync('git', ['check-ref-format', '--branch', name], { encoding: 'utf8' }).trim()).toBe(name);
    }
  });

  it('leaves every other name to git', () => {
    for (const name of ['main', 'buran', 'buran/', 'buran/a/b', 'buran-task/a', 'buran-task/a/b/c', 'buran/a..b', 'buran/.a', 'buran/a.lock', 'buran/a.', 'buran/-a', 'buran/a@{1}', 'buran/a b', 'other/a']) {
      expect(isBuranBranchName(name)).toBe(false);
    }
  });
});

describe("a worktree's branch and HEAD read from git's files", () => {
  it('agree with git while the branch is a loose ref, and defer to git when it is packed or HEAD is detached', async () => {
    const { repo, head } = await repoWithHistory();
    const { dir, cleanup } = await tempDir('folds-wt');
    cleanups.push(cleanup);
    const wt = join(dir, 'wt');
    await gitOk(repo, ['worktree', 'add', '-q', '-b', 'buran-task/r1/t', wt, head]);
    const commonDir = await realpath(join(repo, '.git'));
    const dirs = worktreeGitDirs(commonDir);
    const real = await realpath(wt);
    expect(dirs.branchOf(real)).toBe(await gitOk(wt, ['symbolic-ref', '--short', 'HEAD']));
    await commitFiles(wt, { 'new.txt': 'n\n' }, 'more');
    expect(dirs.headOf(real, 'buran-task/r1/t')).toBe(await gitOk(wt, ['rev-parse', 'HEAD']));
    expect(dirs.headOf(real, 'main')).toBeNull();
    await gitOk(repo, ['pack-refs', '--all']);
    expect(dirs.headOf(real, 'buran-task/r1/t')).toBeNull();
    await gitOk(wt, ['checkout', '-q', '--detach']);
    expect(dirs.branchOf(real)).toBeNull();
  });

  it('does not take a registration whose commondir points elsewhere, even one it found before', async () => {
    const { repo, head } = await repoWithHistory();
    const { dir, cleanup } = await tempDir('folds-wt');
    cleanups.push(cleanup);
    const wt = join(dir, 'wt');
    await gitOk(repo, ['worktree', 'add', '-q', '-b', 'buran-task/r1/t', wt, head]);
    const dirs = worktreeGitDirs(await realpath(join(repo, '.git')));
    const real = await realpath(wt);
    const admin = dirs.adminDirOf(real);
    expect(admin).not.toBeNull();
    await writeFile(join(admin ?? '', 'commondir'), '/elsewhere\n');
    expect(dirs.adminDirOf(real)).toBeNull();
    expect(dirs.branchOf(real)).toBeNull();
  });
});

describe('a HEAD file a worker rewrote', () => {
  it('never turns a name outside refs/heads into a file read', async () => {
    const { repo, head } = await repoWithHistory();
    const { dir, cleanup } = await tempDir('folds-wt');
    cleanups.push(cleanup);
    const wt = join(dir, 'wt');
    await gitOk(repo, ['worktree', 'add', '-q', '-b', 'buran-task/r1/t', wt, head]);
    const dirs = worktreeGitDirs(await realpath(join(repo, '.git')));
    const real = await realpath(wt);
    const admin = dirs.adminDirOf(real) ?? '';
    await writeFile(join(repo, '.git', 'planted'), `${head}\n`);
    await writeFile(join(admin, 'HEAD'), 'ref: refs/heads/../../planted\n');
    expect(dirs.branchOf(real)).toBe('../../planted');
    expect(dirs.headOf(real, '../../planted')).toBeNull();
    expect(dirs.tipOf('../../planted')).toBeNull();
  });
});
