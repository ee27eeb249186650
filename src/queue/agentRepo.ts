// The worker agent's git: one bare clone per remote under its folder, a
// detached worktree per attempt at the job's base commit, one commit per
// attempt, pushed to refs/buran/attempts/<attemptId>. Every call goes through
// the pinned git of src/workspace (no hooks, fsmonitor or pager).
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BuranError } from '../domain/errors.js';
import { sha256 } from '../domain/hash.js';
import { type GitIdentity, type GitResult, describeGitFailure, git } from '../workspace/git.js';
import { UNTRACKED_STATUS_ARGS, attemptMessage, excludePathspecs, untrackedFromStatus } from '../workspace/workspace.js';
import { RUN_TRAILER } from '../workspace/port.js';
import { attemptRef } from './attemptJob.js';

export interface AgentRepo {
  /** The bare clone (its git dir). */
  readonly gitDir: string;
  readonly remote: string;
}

/** The clone of `remote` under `dir`: made on first use, then fetched into. */
export async function ensureClone(dir: string, remote: string): Promise<AgentRepo> {
  const gitDir = join(dir, 'clones', `${sha256(remote).slice('sha256:'.length, 'sha256:'.length + 16)}.git`);
  if (!existsSync(join(gitDir, 'HEAD'))) {
    await mkdir(join(dir, 'clones'), { recursive: true });
    await rm(gitDir, { recursive: true, force: true });
    await must(dir, ['clone', '--bare', '--no-tags', '--quiet', '--', remote, gitDir], { gitDir, remote });
  }
  return { gitDir, remote };
}

/** Make sure `commit` is in the clone (fetched from the remote when it is not). */
export async function fetchCommit(repo: AgentRepo, commit: string): Promise<void> {
  if ((await bare(repo, ['cat-file', '-e', `${commit}^{commit}`])).exitCode === 0) return;
  await mustBare(repo, ['fetch', '--no-tags', '--quiet', '--', repo.remote, '+refs/heads/*:refs/heads/*']);
  if ((await bare(repo, ['cat-file', '-e', `${commit}^{commit}`])).exitCode === 0) return;
  // Not on a branch (yet): ask for the commit itself.
  await mustBare(repo, ['fetch', '--no-tags', '--quiet', '--', repo.remote, commit]);
}

/** A fresh detached worktree at `commit` (one left by an earlier agent process is removed first). */
export async function addWorktree(repo: AgentRepo, worktree: string, commit: string): Promise<void> {
  await removeWorktree(repo, worktree);
  await mkdir(join(worktree, '..'), { recursive: true });
  await mustBare(repo, ['worktree', 'add', '--detach', '--quiet', '--', worktree, commit]);
}

export async function removeWorktree(repo: AgentRepo, worktree: string): Promise<void> {
  await bare(repo, ['worktree', 'remove', '--force', '--', worktree]);
  await rm(worktree, { recursive: true, force: true });
  await bare(repo, ['worktree', 'prune']);
}

/**
 * The files of the clone a worker could use to make buran's own git run its
 * code (config, attributes), as one digest: compared before and after an
 * unconfined attempt.
 */
export function cloneFingerprint(repo: AgentRepo): string {
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  return sha256(['config', 'info/attributes', 'info/exclude'].map((name) => `${name}\0${read(join(repo.gitDir, name))}`).join('\0'));
}

export type AttemptCommit = { readonly commit: string; readonly changedFiles: readonly string[] } | null;

/**
 * The clone's admin folder of `worktree` (`<clone>/worktrees/<name>`), found from the clone's side: the worktree's own
 * `.git` file is the worker's to rewrite, and a redirected one would hand buran's git another repository's config.
 */
function adminDirOf(repo: AgentRepo, worktree: string): string {
  const admins = join(repo.gitDir, 'worktrees');
  const names = existsSync(admins) ? readdirSync(admins) : [];
  const wanted = new Set([join(worktree, '.git'), join(realpathSync(worktree), '.git')]);
  for (const name of names) {
    const pointer = join(admins, name, 'gitdir');
    if (existsSync(pointer) && wanted.has(readFileSync(pointer, 'utf8').trim())) return join(admins, name);
  }
  throw new BuranError({ code: 'internal', message: `${worktree} is not a worktree of the clone ${repo.gitDir}`, details: { worktree, gitDir: repo.gitDir } });
}

/** git addressed at `worktree` through the clone's admin folder (`--git-dir`, `--work-tree`), never by discovery from the worktree. */
const addressed = (repo: AgentRepo, worktree: string): string[] => [`--git-dir=${adminDirOf(repo, worktree)}`, `--work-tree=${worktree}`];

/** What is untracked in `worktree` (a wholly untracked folder as one path): after setup, setup's outputs. */
export async function untrackedPaths(repo: AgentRepo, worktree: string): Promise<string[]> {
  return untrackedFromStatus((await mustIn(worktree, [...addressed(repo, worktree), ...UNTRACKED_STATUS_ARGS], {})).stdout);
}

/**
 * Commit everything the attempt left in `worktree` but `exclude` (setup's outputs), as one commit naming the attempt and
 * run; null when it changed nothing. git is addressed through the clone's admin folder.
 */
export async function commitAttempt(
  repo: AgentRepo,
  worktree: string,
  o: { readonly attemptId: string; readonly runId: string; readonly message: string; readonly identity: GitIdentity; readonly exclude?: readonly string[] },
): Promise<AttemptCommit> {
  const opts = { identity: o.identity };
  const at = addressed(repo, worktree);
  await mustIn(worktree, [...at, 'add', '--all', '--', '.', ...excludePathspecs(o.exclude ?? [])], opts);
  const staged = await git(worktree, [...at, 'diff', '--cached', '--quiet', '--ignore-submodules=all'], opts);
  if (staged.exitCode === 0) return null;
  if (staged.exitCode !== 1) throw failure(['diff', '--cached', '--quiet'], staged, { worktree });
  await mustIn(worktree, [...at, 'commit', '--no-verify', '--no-gpg-sign', '--cleanup=whitespace', '-F', '-'], { ...opts, input: attemptMessage(o.message, o.attemptId, [`${RUN_TRAILER}: ${o.runId}`]) });
  const commit = (await mustIn(worktree, [...at, 'rev-parse', 'HEAD'], opts)).stdout.trim();
  const names = await mustIn(worktree, [...at, 'diff', '--no-ext-diff', '--no-textconv', '--name-only', '-z', `${commit}^1`, commit], opts);
  return { commit, changedFiles: names.stdout.split('\0').filter((f) => f !== '').sort() };
}

/** Push the attempt's commit to refs/buran/attempts/<jobId> on the remote (never forced). */
export async function pushAttempt(repo: AgentRepo, jobId: string, commit: string): Promise<void> {
  await mustBare(repo, ['push', '--quiet', '--no-verify', '--', repo.remote, `${commit}:${attemptRef(jobId)}`]);
}

function bare(repo: AgentRepo, args: readonly string[]): Promise<GitResult> {
  return git(repo.gitDir, [`--git-dir=${repo.gitDir}`, ...args]);
}

async function mustBare(repo: AgentRepo, args: readonly string[]): Promise<GitResult> {
  const r = await bare(repo, args);
  if (r.exitCode !== 0) throw failure(args, r, { gitDir: repo.gitDir, remote: repo.remote });
  return r;
}

async function must(cwd: string, args: readonly string[], details: Record<string, unknown>): Promise<GitResult> {
  const r = await git(cwd, args);
  if (r.exitCode !== 0) throw failure(args, r, details);
  return r;
}

async function mustIn(worktree: string, args: readonly string[], opts: Parameters<typeof git>[2]): Promise<GitResult> {
  const r = await git(worktree, args, opts);
  if (r.exitCode !== 0) throw failure(args, r, { worktree });
  return r;
}

function failure(args: readonly string[], r: GitResult, details: Record<string, unknown>): BuranError {
  return new BuranError({ code: 'internal', message: describeGitFailure(args, r), details });
}
