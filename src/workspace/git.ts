import { gitRefProblem } from '../domain/packet.js';
import { delimiter } from 'node:path';
import { absoluteFolders } from '../platform/searchPath.js';
import { runText } from '../platform/runText.js';
import { isBuranBranchName } from './layout.js';

/** The outcome of one git invocation. Never thrown: a non-zero exit is data. */
export interface GitResult {
  /** Exit code, or null when git was killed (timeout) or could not start. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface GitIdentity {
  readonly name: string;
  readonly email: string;
}

export interface GitOptions {
  /** Wall-clock bound in milliseconds. Default 60 000. */
  readonly timeoutMs?: number;
  /** Text written to git's stdin (e.g. a commit message for `commit -F -`). */
  readonly input?: string;
  /** Author and committer of commits buran makes. Default `buran <buran@localhost>`. */
  readonly identity?: GitIdentity;
  /** The environment git's own is built from (credentials, proxies). Default: this process's. */
  readonly envSource?: Readonly<Record<string, string | undefined>>;
  /** Further `-c` settings placed before the command (the run's driver overrides, see gitTrust.ts). */
  readonly overrides?: readonly string[];
}

export const BURAN_IDENTITY: GitIdentity = { name: 'buran', email: 'buran@localhost' };

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Settings pinned on every call (command-line settings win over every config
 * file): no hook, fsmonitor, pager or ext:: transport runs inside buran's git
 * commands (a worker that can write
 * the repository's config could otherwise make them run its code); a bare
 * repository planted in a worktree is never discovered; submodules are never
 * recursed into (an embedded repository's own config would apply); nothing
 * asks for a signing passphrase; buran never triggers `git gc` in the user's
 * repository; paths are printed verbatim. Every diff buran takes passes
 * --no-ext-diff --no-textconv. Filters have names of the config's choosing:
 * see gitTrust.ts (driverOverrides).
 */
export const PINNED_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.pager=cat',
  '-c', 'protocol.ext.allow=never',
  '-c', 'safe.bareRepository=explicit',
  '-c', 'submodule.recurse=false',
  '-c', 'status.submoduleSummary=false',
  '-c', 'tag.gpgSign=false',
  '-c', 'commit.gpgSign=false',
  '-c', 'gc.auto=0',
  '-c', 'maintenance.auto=false',
  '-c', 'core.quotePath=false',
  '-c', 'advice.detachedHead=false',
] as const;

/**
 * Variables that would point git at another repository, index or work tree
 * (set, for example, when buran runs inside a git hook). They are dropped so a
 * command aimed at a buran worktree can never land on the user's checkout.
 */
const LOCATION_VARIABLES = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
]);

/** The environment git runs with: the parent's minus location variables, plus the pinned values. */
export function gitEnv(identity: GitIdentity, source: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && !LOCATION_VARIABLES.has(key)) env[key] = value;
  }
  // A relative PATH folder would be looked up from git's working directory (a worktree, the worker's files).
  if (env['PATH'] !== undefined) env['PATH'] = absoluteFolders(env['PATH']).join(delimiter);
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    GIT_EDITOR: 'true',
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}

/**
 * The user's git identity in `cwd` (user.name and user.email as git config
 * resolves them: the last value of each), or null when either is unset. Read
 * with the pinned settings, in one process.
 */
export async function userIdentity(cwd: string, envSource: Readonly<Record<string, string | undefined>> = process.env): Promise<GitIdentity | null> {
  const r = await git(cwd, ['config', '-z', '--get-regexp', '^user\\.(name|email)$'], { envSource });
  const values = new Map<string, string>();
  // `-z`: each entry is `<key>\n<value>\0`; a later value wins, as with `git config --get`.
  if (r.exitCode === 0) for (const entry of r.stdout.split('\0')) {
    const cut = entry.indexOf('\n');
    if (cut > 0) values.set(entry.slice(0, cut).toLowerCase(), entry.slice(cut + 1).trim());
  }
  const name = values.get('user.name') ?? '';
  const email = values.get('user.email') ?? '';
  return name === '' || email === '' ? null : { name, email };
}

/**
 * Runs `git <args>` in `cwd` without a shell. Never throws for a non-zero
 * exit, a timeout or a missing git: callers branch on `exitCode`. Put `--`
 * before paths in `args` wherever git accepts it.
 *
 * @example
 * const head = await git(worktree, ['rev-parse', '--verify', 'HEAD^{commit}']);
 * if (head.exitCode === 0) console.log(head.stdout);
 */
export async function git(cwd: string, args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  const result = await runText('git', [...PINNED_CONFIG, ...(opts.overrides ?? []), ...args], {
    cwd,
    env: gitEnv(opts.identity ?? BURAN_IDENTITY, opts.envSource),
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.input === undefined ? {} : { input: opts.input }),
  });
  return {
    exitCode: result.exitCode,
    stdout: result.stdout,
    // When git could not start or was killed, stderr alone may be empty: keep the reason.
    stderr: result.failure === null || result.stderr !== '' ? result.stderr : result.failure,
    timedOut: result.timedOut,
  };
}

/**
 * True when `name` is an acceptable branch name: the domain's conservative rules, then git's own
 * (no git process for the names buran makes itself, see isBuranBranchName).
 */
export async function isValidBranchName(name: string, cwd: string): Promise<boolean> {
  if (gitRefProblem(name) !== null) return false;
  if (isBuranBranchName(name)) return true;
  const checked = await git(cwd, ['check-ref-format', '--branch', name]);
  // `--branch` also expands `@{-n}`; insist the name is taken literally.
  return checked.exitCode === 0 && checked.stdout === name;
}

/** One line for errors: the git command and the first line of its stderr. */
export function describeGitFailure(args: readonly string[], result: GitResult): string {
  const reason = result.timedOut ? 'timed out' : (result.stderr.split('\n').find((line) => line.trim() !== '') ?? `exit ${String(result.exitCode)}`);
  return `git ${args.join(' ')}: ${reason}`;
}
