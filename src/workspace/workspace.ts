// The Workspace port over git worktrees: run and task worktrees, one commit per
// attempt, merges into the run branch, clean verification checkouts. The git
// steps they are made of live in gitAccess.ts.
import { rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { MergeOutcome } from '../../machines/task.types.js';
import { BuranError } from '../domain/errors.js';
import { gitRefProblem } from '../domain/packet.js';
import { UNTRACKED_STATUS_ARGS, createAttemptCommit, untrackedFromStatus } from './attemptCommit.js';
import { createCleanCheckout } from './cleanCheckout.js';
import { createRemoteAttempts } from './remoteAttempt.js';
import { parseNameStatus, parseRawWithPatch, parseZeroContextDiff } from './diffParse.js';
import { branchProblem, runBranchName } from './layout.js';
import type { Workspace } from './port.js';
import { type GitWorkspaceOptions, createGitAccess } from './gitAccess.js';
import { createWorkspaceLeases } from './workspaceLeases.js';

export type * from './port.js';
export { ATTEMPT_TRAILER, RUN_TRAILER } from './port.js';
export type { GitGuard, GitWorkspaceOptions } from './gitAccess.js';
export { UNTRACKED_STATUS_ARGS, attemptMessage, excludePathspecs, parseShortstat, untrackedFromStatus } from './attemptCommit.js';

/**
 * A Workspace over git worktrees.
 *
 * @example
 * const ws = createGitWorkspace({ repoRoot: '/src/app', storeDir: '/src/app/.buran' });
 * const lease = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
 */
export function createGitWorkspace(options: GitWorkspaceOptions): Workspace {
  const access = createGitAccess(options);
  const { run, must, roots, checkBranch, branchTip, ownWorktree, registeredWorktrees, mergeBase, diffFlags, patchFlags, exclusive, mergeInto, headCommit } = access;
  const leases = createWorkspaceLeases(access, options);
  // Each commit's tree, learnt when buran committed it (a commit's tree never changes).
  const trees = new Map<string, string>();

  /**
   * `git diff <args> <fork point> HEAD [-- paths]`, the fork point being the merge base of HEAD and `base`: one
   * process (--merge-base) when that base is unique; otherwise the one `git merge-base` names, as before. When that
   * diff is empty because `base` has already merged HEAD in (a review run again after a crash that followed the
   * task's merge), the fork point is taken from `base` as it was before that merge, so the answer does not change.
   */
  async function diffFromForkPoint(cwd: string, base: string, args: readonly string[], paths: readonly string[] = []): Promise<string> {
    let diff: string | null = null;
    if (gitRefProblem(base) === null || /^[0-9a-f]{7,64}$/.test(base)) {
      const once = await run(cwd, ['diff', ...args, '--merge-base', base, 'HEAD', '--', ...paths]);
      if (once.exitCode === 0) diff = once.stdout;
    }
    diff ??= await must(cwd, ['diff', ...args, await mergeBase(cwd, base), 'HEAD', '--', ...paths]);
    if (diff !== '') return diff;
    const before = await baseBeforeMergeOf(cwd, base);
    return before === null ? diff : must(cwd, ['diff', ...args, await mergeBase(cwd, before), 'HEAD', '--', ...paths]);
  }

  /** The first parent of the merge on `base`'s first-parent line whose second parent is HEAD, or null (HEAD not merged so). */
  async function baseBeforeMergeOf(cwd: string, base: string): Promise<string | null> {
    const head = await headCommit(cwd);
    const merges = await run(cwd, ['log', '--first-parent', '--merges', '--format=%H %P', base, `^${head}`, '--']);
    if (merges.exitCode !== 0) return null;
    for (const line of merges.stdout.split('\n')) {
      const [, first, second] = line.split(' ');
      if (second === head && first !== undefined) return first;
    }
    return null;
  }

  return {
    leaseRunWorkspace: leases.leaseRunWorkspace,
    taskWorkspace: leases.taskWorkspace,
    commitAttempt: createAttemptCommit(access, options, trees),
    ...createRemoteAttempts(access),

    async changedFilesSince(worktree, base) {
      return parseNameStatus(await diffFromForkPoint(await ownWorktree(worktree), base, [...diffFlags, '--name-status', '-z']));
    },

    async diffLinesSince(worktree, base) {
      return parseZeroContextDiff(await diffFromForkPoint(await ownWorktree(worktree), base, [...patchFlags]));
    },

    async changesSince(worktree, base) {
      const { changedFiles, patch } = parseRawWithPatch(await diffFromForkPoint(await ownWorktree(worktree), base, [...patchFlags, '--patch-with-raw', '-z']));
      return { changedFiles, diffLines: parseZeroContextDiff(patch) };
    },

    async diffForFile(worktree, base, file) {
      const lines = parseZeroContextDiff(await diffFromForkPoint(await ownWorktree(worktree), base, [...patchFlags], [`:(literal)${file}`]));
      return lines.find((entry) => entry.path === file) ?? { path: file, addedLines: [] };
    },

    async fileSinceFork(worktree, base, file, maxBytes) {
      const cwd = await ownWorktree(worktree);
      const from = await mergeBase(cwd, base);
      const blob = async (rev: string): Promise<string> => {
        const spec = `${rev}:${file.path}`;
        const size = Number((await must(cwd, ['cat-file', '-s', spec])).trim());
        if (!(size <= maxBytes)) throw new BuranError({ code: 'internal', message: `${file.path} is ${size} bytes at ${rev}, over the ${maxBytes}-byte bound for reading it`, details: { path: file.path, size, maxBytes } });
        return must(cwd, ['cat-file', 'blob', spec]);
      };
      return { before: file.status === 'added' ? null : await blob(from), after: file.status === 'deleted' ? null : await blob('HEAD') };
    },

    async diffSince(worktree, base) {
      return diffFromForkPoint(await ownWorktree(worktree), base, [...diffFlags, '--src-prefix=a/', '--dst-prefix=b/']);
    },

    async stateOf(worktree) {
      const cwd = await ownWorktree(worktree);
      const head = await must(cwd, ['rev-parse', 'HEAD']);
      const status = await must(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignored=no', '--ignore-submodules=all']);
      return `${head.trim()}\n${status}`;
    },

    async untrackedPaths(worktree) {
      const cwd = await ownWorktree(worktree);
      return untrackedFromStatus(await must(cwd, [...UNTRACKED_STATUS_ARGS]));
    },

    async mergeTaskIntoRun({ runWorktree, taskBranch, taskId, epoch }) {
      const cwd = await ownWorktree(runWorktree);
      // Tasks that pass together merge into the same worktree: one merge at a time (one driver per run).
      return exclusive(cwd, async (): Promise<MergeOutcome> => {
        await checkBranch(cwd, gitRefProblem(taskBranch), taskBranch, { taskId });
        // A tip the run branch already contains: git merges nothing and says so (a repeated call after a crash).
        const merging = mergeInto(cwd, `refs/heads/${taskBranch}`, '--no-ff', `buran: merge task ${taskId} (epoch ${epoch})`, [`Buran-Task: ${taskId}`, `Buran-Epoch: ${epoch}`, ...(options.trailers ?? [])].join('\n'));
        const merged = await merging.catch(async (error: unknown) => {
          if ((await branchTip(cwd, taskBranch)) === null) throw new BuranError({ code: 'not_found', message: `task branch ${taskBranch} does not exist`, details: { taskBranch, taskId } });
          if ((await run(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).exitCode !== 0) throw new BuranError({ code: 'lease_lost', message: `the run branch checked out in ${cwd} is gone`, details: { worktree: cwd, taskId } });
          throw error;
        });
        options.crash?.('merge.after-merge');
        return merged;
      });
    },

    cleanCheckout: createCleanCheckout(access, trees),

    async releaseRunWorkspace(runId) {
      const problem = branchProblem('run', runId);
      if (problem !== null) throw new BuranError({ code: 'invalid_input', message: problem, details: { runId } });
      const { repo, worktrees, gitDirs } = await roots();
      leases.forgetRun(runId);
      const prefix = join(worktrees, runId) + sep;
      for (const path of (await registeredWorktrees(repo)).keys()) {
        if (!path.startsWith(prefix)) continue;
        // What `git worktree remove --force --force` does, without a process per worktree: the working tree, then git's admin folder of it.
        const admin = gitDirs.adminDirOf(path);
        if (admin === null) {
          await must(repo, ['worktree', 'remove', '--force', '--force', '--', path]);
          continue;
        }
        await rm(path, { recursive: true, force: true });
        await rm(admin, { recursive: true, force: true });
      }
      // Only buran's own directories, and only after git has let go of them.
      await rm(join(worktrees, runId, 'run'), { recursive: true, force: true });
      await rm(join(worktrees, runId, 'tasks'), { recursive: true, force: true });
      await rm(join(worktrees, runId, 'verify'), { recursive: true, force: true });
    },

    async runLeftovers(runId) {
      const problem = branchProblem('run', runId);
      if (problem !== null) throw new BuranError({ code: 'invalid_input', message: problem, details: { runId } });
      const { repo, worktrees } = await roots();
      const prefix = join(worktrees, runId) + sep;
      const paths = [...(await registeredWorktrees(repo)).keys()].filter((path) => path.startsWith(prefix)).sort();
      const refs = await must(repo, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${runBranchName(runId)}`, `refs/heads/buran-task/${runId}/`]);
      const branches = refs.split('\n').filter((b) => b !== '');
      return { worktrees: paths, branches: [...branches.filter((b) => b === runBranchName(runId)), ...branches.filter((b) => b !== runBranchName(runId)).sort()] };
    },

    async deleteRunBranches(runId, branches) {
      const ours = (b: string) => b === runBranchName(runId) || (b.startsWith(`buran-task/${runId}/`) && gitRefProblem(b) === null);
      const foreign = branches.filter((b) => !ours(b));
      if (branchProblem('run', runId) !== null || foreign.length > 0) {
        throw new BuranError({ code: 'invalid_input', message: `not branches of run ${runId}: ${foreign.join(', ')}`, details: { runId, foreign } });
      }
      const { repo } = await roots();
      for (const branch of branches) await must(repo, ['branch', '-D', '--', branch]);
    },
  };
}
