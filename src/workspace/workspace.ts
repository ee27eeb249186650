// The Workspace port over git worktrees: run and task worktrees, one commit per
// attempt, merges into the run branch, clean verification checkouts. The git
// steps they are made of live in gitAccess.ts.
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { LeaseInfo, LeaseOutcome } from '../../machines/run.types.js';
import type { MergeOutcome } from '../../machines/task.types.js';
import { BuranError } from '../domain/errors.js';
import { gitRefProblem } from '../domain/packet.js';
import { writeFileDurable } from '../platform/durableWrite.js';
import { parseNameStatus, parseZeroContextDiff } from './diffParse.js';
import { describeGitFailure } from './git.js';
import { branchProblem, leaseRecordPath, runBranchName, runDir, runWorktreePath, taskBranchName, taskWorktreePath, verifyWorktreePath, workspaceIdProblem } from './layout.js';
import { ATTEMPT_TRAILER, type CommitOutcome, type Diffstat, type Workspace } from './port.js';
import { type GitWorkspaceOptions, createGitAccess } from './gitAccess.js';

export type * from './port.js';
export { ATTEMPT_TRAILER, RUN_TRAILER } from './port.js';
export type { GitGuard, GitWorkspaceOptions } from './gitAccess.js';

/**
 * A Workspace over git worktrees.
 *
 * @example
 * const ws = createGitWorkspace({ repoRoot: '/src/app', storeDir: '/src/app/.buran' });
 * const lease = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
 */
export function createGitWorkspace(options: GitWorkspaceOptions): Workspace {
  const { run, must, roots, resolveCommit, checkBranch, branchTip, ownWorktree, registeredWorktrees, ensureWorktree, readLease, mergeBase, diffFlags, patchFlags, exclusive, mergeInto } = createGitAccess(options);

  return {
    async leaseRunWorkspace({ runId, base }) {
      const problem = branchProblem('run', runId);
      if (problem !== null) throw new BuranError({ code: 'invalid_input', message: problem, details: { runId } });
      const { repo, store } = await roots();
      const branch = runBranchName(runId);
      await checkBranch(repo, problem, branch, { runId });
      const worktree = runWorktreePath(store, runId);
      const conflict = (message: string, details: Record<string, unknown> = {}): LeaseOutcome => ({
        status: 'conflict',
        message,
        details: { runId, branch, base, ...details },
      });
      await mkdir(runDir(store, runId), { recursive: true });
      let record = await readLease(store, runId);
      if (record !== null && record.base !== base) {
        return conflict(`run ${runId} was leased from base ${record.base}, not ${base}`, { leasedBase: record.base });
      }
      if (record === null) {
        if ((await branchTip(repo, branch)) !== null) return conflict(`branch ${branch} already exists and was not created for this run`);
        const baseCommit = await resolveCommit(repo, base);
        if (baseCommit === null) return conflict(`base ${base} does not resolve to a commit`);
        record = { runId, base, branch, worktree, baseCommit };
        // The record goes first: after a crash, a re-lease finds the same base commit.
        await writeFileDurable(leaseRecordPath(store, runId), `${JSON.stringify(record, null, 2)}\n`);
      }
      if ((await branchTip(repo, branch)) === null) {
        if (record.established === true) {
          return conflict(`branch ${branch} was deleted after the run leased it; the work merged into it is gone with it`, { lost: 'branch' });
        }
        await must(repo, ['branch', '--no-track', '--', branch, record.baseCommit]);
      }
      const attachProblem = await ensureWorktree(worktree, branch);
      if (attachProblem !== null) return conflict(attachProblem);
      if (record.established !== true) {
        record = { ...record, established: true };
        await writeFileDurable(leaseRecordPath(store, runId), `${JSON.stringify(record, null, 2)}\n`);
      }
      const lease: LeaseInfo = { branch, worktree: record.worktree, baseCommit: record.baseCommit };
      return { status: 'acquired', lease };
    },

    async taskWorkspace({ runId, taskId, epoch }) {
      const problem = branchProblem('task', runId, taskId);
      if (problem !== null) throw new BuranError({ code: 'invalid_input', message: problem, details: { runId, taskId } });
      const { repo, store } = await roots();
      await checkBranch(repo, problem, taskBranchName(runId, taskId), { runId, taskId });
      const runBranch = runBranchName(runId);
      const runTip = await branchTip(repo, runBranch);
      if ((await readLease(store, runId)) === null || runTip === null) {
        throw new BuranError({ code: 'lease_lost', message: `run ${runId} has no leased workspace (branch ${runBranch})`, details: { runId } });
      }
      const branch = taskBranchName(runId, taskId);
      const worktree = taskWorktreePath(store, runId, taskId);
      // A new task branch starts from the run branch as it stands now, so it sees its dependencies' merges.
      if ((await branchTip(repo, branch)) === null) await must(repo, ['branch', '--no-track', '--', branch, runTip]);
      const attachProblem = await ensureWorktree(worktree, branch);
      if (attachProblem !== null) {
        throw new BuranError({ code: 'lease_lost', message: attachProblem, details: { runId, taskId, worktree } });
      }
      if (epoch > 1) {
        const upToDate = await run(worktree, ['merge-base', '--is-ancestor', runTip, 'HEAD']);
        if (upToDate.exitCode !== 0) {
          const merged = await mergeInto(worktree, runTip, '--ff', `buran: update task ${taskId} from ${runBranch} (epoch ${epoch})`, [`Buran-Task: ${taskId}`, `Buran-Epoch: ${epoch}`, ...(options.trailers ?? [])].join('\n'));
          if (merged.status === 'conflict') return merged;
        }
      }
      return { status: 'ready', branch, worktree, head: await must(worktree, ['rev-parse', 'HEAD']) };
    },

    async commitAttempt({ worktree, attemptId, message, exclude = [] }) {
      const idProblem = workspaceIdProblem(attemptId);
      if (idProblem !== null) throw new BuranError({ code: 'invalid_input', message: `attemptId ${idProblem}`, details: { attemptId } });
      const cwd = await ownWorktree(worktree);
      const summary = async (commit: string, reused: boolean): Promise<CommitOutcome> => {
        const names = await must(cwd, ['diff', ...diffFlags, '--name-only', '-z', `${commit}^1`, commit]);
        const stat = await must(cwd, ['diff', ...diffFlags, '--shortstat', `${commit}^1`, commit]);
        return { committed: true, commit, changedFiles: names.split('\0').filter((f) => f !== '').sort(), diffstat: parseShortstat(stat), reused };
      };
      const head = await must(cwd, ['rev-parse', 'HEAD']);
      const trailers = await must(cwd, ['log', '-1', `--format=%(trailers:key=${ATTEMPT_TRAILER},valueonly)`, 'HEAD']);
      if (trailers.split('\n').some((value) => value.trim() === attemptId)) return summary(head, true);
      await must(cwd, ['add', '--all', '--', '.', ...exclude.map((path) => `:(exclude,literal)${path}`)]);
      const staged = await run(cwd, ['diff', '--cached', '--quiet', '--ignore-submodules=all']);
      if (staged.exitCode === 0) return { committed: false, head };
      if (staged.exitCode !== 1) {
        throw new BuranError({ code: 'internal', message: describeGitFailure(['diff', '--cached', '--quiet'], staged), details: { worktree: cwd } });
      }
      options.crash?.('commit.before-commit');
      await must(cwd, ['commit', '--no-verify', '--no-gpg-sign', '--cleanup=whitespace', '-F', '-'], attemptMessage(message, attemptId, options.trailers));
      return summary(await must(cwd, ['rev-parse', 'HEAD']), false);
    },

    async changedFilesSince(worktree, base) {
      const cwd = await ownWorktree(worktree);
      const from = await mergeBase(cwd, base);
      return parseNameStatus(await must(cwd, ['diff', ...diffFlags, '--name-status', '-z', from, 'HEAD']));
    },

    async diffLinesSince(worktree, base) {
      const cwd = await ownWorktree(worktree);
      const from = await mergeBase(cwd, base);
      return parseZeroContextDiff(await must(cwd, ['diff', ...patchFlags, from, 'HEAD']));
    },

    async diffForFile(worktree, base, file) {
      const cwd = await ownWorktree(worktree);
      const from = await mergeBase(cwd, base);
      const lines = parseZeroContextDiff(await must(cwd, ['diff', ...patchFlags, from, 'HEAD', '--', `:(literal)${file}`]));
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
      const cwd = await ownWorktree(worktree);
      const from = await mergeBase(cwd, base);
      return must(cwd, ['diff', ...diffFlags, '--src-prefix=a/', '--dst-prefix=b/', from, 'HEAD']);
    },

    async stateOf(worktree) {
      const cwd = await ownWorktree(worktree);
      const head = await must(cwd, ['rev-parse', 'HEAD']);
      const status = await must(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignored=no', '--ignore-submodules=all']);
      return `${head.trim()}\n${status}`;
    },

    async untrackedPaths(worktree) {
      const cwd = await ownWorktree(worktree);
      const status = await must(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=normal', '--ignored=no', '--ignore-submodules=all']);
      return status
        .split('\0')
        .filter((entry) => entry.startsWith('?? '))
        .map((entry) => entry.slice(3).replace(/\/$/, ''))
        .sort();
    },

    async mergeTaskIntoRun({ runWorktree, taskBranch, taskId, epoch }) {
      const cwd = await ownWorktree(runWorktree);
      // Tasks that pass together merge into the same worktree: one merge at a time (one driver per run).
      return exclusive(cwd, async (): Promise<MergeOutcome> => {
        await checkBranch(cwd, gitRefProblem(taskBranch), taskBranch, { taskId });
        const tip = await branchTip(cwd, taskBranch);
        if (tip === null) throw new BuranError({ code: 'not_found', message: `task branch ${taskBranch} does not exist`, details: { taskBranch, taskId } });
        const already = await run(cwd, ['merge-base', '--is-ancestor', tip, 'HEAD']);
        if (already.exitCode === 0) return { status: 'merged', commit: await must(cwd, ['rev-parse', 'HEAD']) };
        const merged = await mergeInto(cwd, tip, '--no-ff', `buran: merge task ${taskId} (epoch ${epoch})`, [`Buran-Task: ${taskId}`, `Buran-Epoch: ${epoch}`, ...(options.trailers ?? [])].join('\n'));
        options.crash?.('merge.after-merge');
        return merged;
      });
    },

    async cleanCheckout({ runId, name, worktree }) {
      const idProblem = workspaceIdProblem(name);
      if (idProblem !== null) throw new BuranError({ code: 'invalid_input', message: `checkout name ${idProblem}`, details: { name } });
      const from = await ownWorktree(worktree);
      const commit = await must(from, ['rev-parse', '--verify', 'HEAD^{commit}']);
      const tree = await must(from, ['rev-parse', '--verify', 'HEAD^{tree}']);
      const { repo, store } = await roots();
      const target = verifyWorktreePath(store, runId, name);
      await mkdir(dirname(target), { recursive: true });
      const path = join(await realpath(dirname(target)), basename(target));
      await exclusive(`worktrees:${repo}`, async () => {
        const registered = await registeredWorktrees(repo);
        if (registered.has(path) && (await stat(path).then(() => true, () => false))) return;
        await rm(path, { recursive: true, force: true });
        await must(repo, ['worktree', 'add', '--force', '--detach', '--', path, commit]);
      });
      await must(path, ['checkout', '--quiet', '--detach', '--force', commit]);
      await must(path, ['clean', '-ffdxq']);
      const status = await must(path, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignored=matching', '--ignore-submodules=all']);
      const head = await must(path, ['rev-parse', '--verify', 'HEAD^{commit}']);
      if (head !== commit || status !== '') {
        throw new BuranError({ code: 'internal', message: `the verification checkout ${path} is not a clean checkout of ${commit}`, details: { path, commit, head, status } });
      }
      return { path, commit, tree };
    },

    async releaseRunWorkspace(runId) {
      const problem = branchProblem('run', runId);
      if (problem !== null) throw new BuranError({ code: 'invalid_input', message: problem, details: { runId } });
      const { repo, worktrees } = await roots();
      const prefix = join(worktrees, runId) + sep;
      for (const path of (await registeredWorktrees(repo)).keys()) {
        if (path.startsWith(prefix)) await must(repo, ['worktree', 'remove', '--force', '--force', '--', path]);
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

/** The commit message with the trailers buran writes removed from what the caller wrote, and the real ones appended. */
export function attemptMessage(message: string, attemptId: string, trailers: readonly string[] = []): string {
  const keys = [ATTEMPT_TRAILER, ...trailers.map((t) => t.split(':')[0]?.trim() ?? '')].filter((k) => k !== '');
  const ours = (line: string) => keys.some((key) => new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`, 'i').test(line));
  const text = message.split('\n').filter((line) => !ours(line)).join('\n').trim();
  return `${text === '' ? `buran: attempt ${attemptId}` : text}\n\n${[`${ATTEMPT_TRAILER}: ${attemptId}`, ...trailers].join('\n')}\n`;
}

/** Parses `git diff --shortstat`: " 2 files changed, 3 insertions(+), 1 deletion(-)". */
export function parseShortstat(text: string): Diffstat {
  const count = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
  return { filesChanged: count(/(\d+) files? changed/), insertions: count(/(\d+) insertions?\(\+\)/), deletions: count(/(\d+) deletions?\(-\)/) };
}


