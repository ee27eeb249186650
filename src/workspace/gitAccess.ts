// The git access one workspace shares between its operations: every call
// checked against the run's trusted configuration and addressed through the
// worktree's registered admin folder, the repository's roots resolved once, and
// the small git steps (branch tips, worktrees, merges) the operations are made of.
import { mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { CrashPoint } from '../chaos/crashPoints.js';
import type { MergeOutcome } from '../../machines/task.types.js';
import { BuranError } from '../domain/errors.js';
import { gitRefProblem } from '../domain/packet.js';
import { type GitIdentity, type GitResult, describeGitFailure, git, isValidBranchName } from './git.js';
import { worktreesRoot } from './layout.js';
import type { GitTrustChange } from './gitTrust.js';
import { type WorktreeGitDirs, worktreeGitDirs } from './worktreeGitDir.js';

export interface GitWorkspaceOptions {
  /** The user's repository; only read and used to register worktrees, never checked out or reset. */
  readonly repoRoot: string;
  /** The run store directory; worktrees live in `<storeDir>/worktrees`. */
  readonly storeDir: string;
  readonly identity?: GitIdentity;
  /** Trailers (`Key: value`) added to every commit and merge this workspace makes, e.g. `Buran-Run: <runId>`. */
  readonly trailers?: readonly string[];
  /** Bound of each git call, milliseconds. */
  readonly gitTimeoutMs?: number;
  /** Crash points (src/chaos) inside the attempt commit and the merge; omit in production. */
  readonly crash?: CrashPoint;
  /** The run's trusted git configuration; without it git runs with the pinned settings only. */
  readonly guard?: GitGuard;
}


interface Roots {
  readonly repo: string;
  readonly store: string;
  readonly worktrees: string;
  /** The repository's common git dir (absolute). */
  readonly commonDir: string;
  readonly gitDirs: WorktreeGitDirs;
}

/** What a run trusts of the repository's git configuration: checked before every git call, and the drivers it switches off. */
export interface GitGuard {
  /** The first watched file that changed since the run trusted it, or null. */
  check(): GitTrustChange | null;
  /** `-c` settings for every call (driverOverrides of the trusted record). */
  readonly overrides: readonly string[];
}

/**
 * A Workspace over git worktrees.
 *
 * @example
 * const ws = createGitWorkspace({ repoRoot: '/src/app', storeDir: '/src/app/.buran' });
 * const lease = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });

/** What `createGitWorkspace` builds its operations from (one per workspace). */
export type GitAccess = ReturnType<typeof createGitAccess>;

/**
 * The shared git access of one workspace.
 * @example
 * const { must, roots } = createGitAccess({ repoRoot: '/src/app', storeDir: '/src/app/.buran' });
 * const head = await must((await roots()).repo, ['rev-parse', 'HEAD']);
 */
export function createGitAccess(options: GitWorkspaceOptions) {
  const run = async (cwd: string, args: readonly string[], input?: string): Promise<GitResult> => {
    const change = options.guard?.check() ?? null;
    if (change !== null) {
      throw new BuranError({
        code: 'policy_denied',
        message: `${change.path} changed since the run trusted it; buran runs no git command until it is put back`,
        details: { file: change.path, trusted: change.trusted, current: change.current },
      });
    }
    return git(cwd, [...addressing(cwd), ...args], {
      ...(options.guard === undefined ? {} : { overrides: options.guard.overrides }),
      ...(options.identity === undefined ? {} : { identity: options.identity }),
      ...(options.gitTimeoutMs === undefined ? {} : { timeoutMs: options.gitTimeoutMs }),
      ...(input === undefined ? {} : { input }),
    });
  };
  /** In a buran worktree, git is pointed at the worktree's registered admin folder, never at what its `.git` file says. */
  const addressing = (cwd: string): string[] => {
    if (resolved === null || !cwd.startsWith(resolved.worktrees + sep)) return [];
    const { gitDirs } = resolved;
    const admin = gitDirs.adminDirOf(cwd);
    if (admin === null) throw new BuranError({ code: 'lease_lost', message: `${cwd} is not a worktree git knows`, details: { worktree: cwd } });
    return [`--git-dir=${admin}`, `--work-tree=${cwd}`];
  };
  const must = async (cwd: string, args: readonly string[], input?: string): Promise<string> => {
    const result = await run(cwd, args, input);
    if (result.exitCode !== 0) {
      throw new BuranError({ code: 'internal', message: describeGitFailure(args, result), details: { cwd, args: [...args], stderr: result.stderr } });
    }
    return result.stdout;
  };

  let rootsPromise: Promise<Roots> | null = null;
  let resolved: Roots | null = null;
  const roots = (): Promise<Roots> => (rootsPromise ??= resolveRoots());
  async function resolveRoots(): Promise<Roots> {
    // One process for both: `--path-format=absolute` applies to the option after it only.
    const asked = await run(options.repoRoot, ['rev-parse', '--show-toplevel', '--path-format=absolute', '--git-common-dir']);
    const [top = '', common = ''] = asked.exitCode === 0 ? asked.stdout.split('\n') : [];
    if (top === '' || common === '') {
      rootsPromise = null;
      throw new BuranError({ code: 'not_a_git_repo', message: `${options.repoRoot} is not a git repository`, details: { repoRoot: options.repoRoot } });
    }
    const worktrees = worktreesRoot(options.storeDir);
    await mkdir(worktrees, { recursive: true });
    // The store may sit inside the repository: keep worktrees out of the user's `git status`.
    await writeFile(join(worktrees, '.gitignore'), '*\n', { flag: 'w' });
    const commonDir = await realpath(common);
    resolved = { repo: await realpath(top), store: await realpath(options.storeDir), worktrees: await realpath(worktrees), commonDir, gitDirs: worktreeGitDirs(commonDir) };
    return resolved;
  }

  async function resolveCommit(cwd: string, ref: string): Promise<string | null> {
    if (gitRefProblem(ref) !== null && !/^[0-9a-f]{7,64}$/.test(ref)) return null;
    const result = await run(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    return result.exitCode === 0 ? result.stdout : null;
  }

  /** The layout's rules, then `git check-ref-format --branch`; throws invalid_input. */
  async function checkBranch(cwd: string, problem: string | null, branch: string, details: Record<string, unknown>): Promise<void> {
    if (problem === null && (await isValidBranchName(branch, cwd))) return;
    throw new BuranError({ code: 'invalid_input', message: problem ?? `${branch} is not a valid branch name`, details: { ...details, branch } });
  }

  /** The commit HEAD is at in `cwd`: from git's files when a buran worktree's HEAD names a loose branch ref, else from git. */
  async function headCommit(cwd: string): Promise<string> {
    const { gitDirs } = await roots();
    const branch = gitDirs.branchOf(cwd);
    return (branch === null ? null : gitDirs.headOf(cwd, branch)) ?? must(cwd, ['rev-parse', '--verify', 'HEAD^{commit}']);
  }

  async function branchTip(cwd: string, branch: string): Promise<string | null> {
    const result = await run(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${branch}^{commit}`]);
    return result.exitCode === 0 ? result.stdout : null;
  }

  /** Refuses any path that is not a worktree buran created: git effects never reach the user's checkout. */
  async function ownWorktree(path: string): Promise<string> {
    const { worktrees, gitDirs } = await roots();
    const real = await realpath(path).catch((cause: unknown) => {
      throw new BuranError({ code: 'lease_lost', message: `worktree ${path} does not exist`, details: { worktree: path }, cause });
    });
    // Known from the repository's side (git's registration), not from the worktree's own `.git` file.
    if (!real.startsWith(worktrees + sep) || gitDirs.adminDirOf(real) === null) {
      throw new BuranError({ code: 'invalid_input', message: `${path} is not a buran worktree (expected a worktree under ${worktrees})`, details: { worktree: path } });
    }
    return real;
  }

  async function registeredWorktrees(repo: string): Promise<Map<string, string | null>> {
    // Another process adding a worktree at this moment leaves its admin folder half-written for a few ms.
    let listed = await run(repo, ['worktree', 'list', '--porcelain', '-z']);
    for (let retry = 0; listed.exitCode !== 0 && /failed to read .*worktrees/.test(listed.stderr) && retry < 20; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      listed = await run(repo, ['worktree', 'list', '--porcelain', '-z']);
    }
    if (listed.exitCode !== 0) {
      throw new BuranError({ code: 'internal', message: describeGitFailure(['worktree', 'list', '--porcelain', '-z'], listed), details: { cwd: repo, stderr: listed.stderr } });
    }
    const out = listed.stdout;
    const found = new Map<string, string | null>();
    let current: string | null = null;
    for (const field of out.split('\0')) {
      if (field.startsWith('worktree ')) {
        current = field.slice('worktree '.length);
        found.set(current, null);
      } else if (field.startsWith('branch refs/heads/') && current !== null) {
        found.set(current, field.slice('branch refs/heads/'.length));
      }
    }
    return found;
  }

  /**
   * The tips of local branches in one git process (null: no such branch). A
   * ref that does not name a commit directly is asked of git on its own.
   */
  async function branchTips(cwd: string, branches: readonly string[]): Promise<Map<string, string | null>> {
    const listed = await must(cwd, ['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)', ...branches.map((b) => `refs/heads/${b}`)]);
    const found = new Map(listed.split('\n').map((line) => line.split('\0')).map(([ref = '', type = '', id = '']) => [ref, { type, id }] as const));
    const tips = new Map<string, string | null>();
    for (const branch of branches) {
      const entry = found.get(`refs/heads/${branch}`);
      tips.set(branch, entry === undefined ? null : entry.type === 'commit' ? entry.id : await branchTip(cwd, branch));
    }
    return tips;
  }

  /** Makes `path` a worktree with `branch` checked out (created from `from` when it does not exist); re-attaches when it already is. One at a time per repository. */
  async function ensureWorktree(path: string, branch: string, from?: string): Promise<string | null> {
    const { repo } = await roots();
    return exclusive(`worktrees:${repo}`, () => ensureWorktreeNow(repo, path, branch, from));
  }

  /** Adds a new worktree at `path` on a new `branch` from `from`, only when nothing is there or registered for it; false when git refused. */
  async function addNewWorktree(path: string, branch: string, from: string): Promise<boolean> {
    const { repo, gitDirs } = await roots();
    return exclusive(`worktrees:${repo}`, async () => {
      await mkdir(dirname(path), { recursive: true });
      const real = join(await realpath(dirname(path)), basename(path));
      if ((await stat(real).then(() => true, () => false)) || gitDirs.adminDirOf(real) !== null) return false;
      return (await run(repo, ['worktree', 'add', '--no-track', '-b', branch, '--', real, from])).exitCode === 0;
    });
  }

  async function ensureWorktreeNow(repo: string, path: string, branch: string, from: string | undefined): Promise<string | null> {
    await mkdir(dirname(path), { recursive: true });
    const real = join(await realpath(dirname(path)), basename(path));
    const { gitDirs } = await roots();
    const present = await stat(real).then(() => true, () => false);
    // Registered (from the repository's side), there, on `branch`: what `worktree list` would say, read without git.
    if (present && gitDirs.branchOf(real) === branch) return null;
    if (from !== undefined) await must(repo, ['branch', '--no-track', '--', branch, from]);
    // Nothing there and nothing registered for it: git adds it (asked what it has registered only when it refuses).
    if (!present && gitDirs.adminDirOf(real) === null && (await run(repo, ['worktree', 'add', '--', real, branch])).exitCode === 0) return null;
    const registered = await registeredWorktrees(repo);
    const exists = await stat(real).then(() => true, () => false);
    if (registered.has(real) && exists) {
      const checkedOut = registered.get(real);
      return checkedOut === branch ? null : `worktree ${real} has ${checkedOut ?? 'a detached HEAD'} checked out, not ${branch}`;
    }
    if (exists) return `path ${real} exists but is not a registered worktree`;
    // Registered but deleted (e.g. removed by hand): --force re-adds it at the same path.
    const args = ['worktree', 'add', ...(registered.has(real) ? ['--force'] : []), '--', real, branch];
    const added = await run(repo, args);
    return added.exitCode === 0 ? null : describeGitFailure(args, added);
  }

  async function mergeBase(cwd: string, base: string): Promise<string> {
    const baseCommit = await resolveCommit(cwd, base);
    if (baseCommit === null) throw new BuranError({ code: 'invalid_input', message: `base ${base} does not resolve to a commit`, details: { base } });
    return (await must(cwd, ['merge-base', 'HEAD', baseCommit])).trim();
  }

  const diffFlags = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--no-relative'] as const;
  const patchFlags = [...diffFlags, '-U0', '--src-prefix=a/', '--dst-prefix=b/'] as const;

  const queues = new Map<string, Promise<unknown>>();
  /** Runs `task` once every earlier task with the same key has settled (an in-process mutex per worktree). */
  function exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const next = (queues.get(key) ?? Promise.resolve()).then(task, task);
    const settled = next.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  }

  /** Merges `commit` into the worktree's HEAD; on any failure the merge is aborted and the tree left clean. */
  async function mergeInto(cwd: string, commit: string, ff: '--ff' | '--no-ff', subject: string, body: string): Promise<MergeOutcome> {
    const args = ['merge', ff, '--no-edit', '--no-verify-signatures', '--no-autostash', '-m', subject, '-m', body, '--', commit];
    const merged = await run(cwd, args);
    if (merged.exitCode === 0) return { status: 'merged', commit: await headCommit(cwd) };
    const unmerged = (await must(cwd, ['diff', '--name-only', '--diff-filter=U', '-z'])).split('\0').filter((f) => f !== '');
    const inMerge = await run(cwd, ['rev-parse', '--verify', '--quiet', 'MERGE_HEAD']);
    if (inMerge.exitCode === 0) await must(cwd, ['merge', '--abort']);
    if (unmerged.length === 0) {
      throw new BuranError({ code: 'internal', message: describeGitFailure(args, merged), details: { worktree: cwd, stderr: merged.stderr } });
    }
    const firstLine = merged.stdout.split('\n').find((line) => line.startsWith('CONFLICT')) ?? 'merge conflict';
    return { status: 'conflict', files: unmerged.sort(), message: `${firstLine} (${unmerged.length} file(s) in conflict)` };
  }


  return { run, must, roots, resolveCommit, checkBranch, branchTip, branchTips, ownWorktree, registeredWorktrees, ensureWorktree, addNewWorktree, mergeBase, headCommit, diffFlags, patchFlags, exclusive, mergeInto };
}
