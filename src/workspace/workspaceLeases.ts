// The run's lease and its task workspaces, remembered for the life of one
// workspace (one driver session): once git has shown a lease or a task
// worktree in place, a later call re-checks it from the files git keeps (the
// lease record, the worktree's registration and its HEAD naming the branch),
// with no git process, and asks git again only when one of them differs.
import { mkdir, stat } from 'node:fs/promises';
import type { LeaseInfo, LeaseOutcome } from '../../machines/run.types.js';
import { BuranError } from '../domain/errors.js';
import { writeFileDurable } from '../platform/durableWrite.js';
import type { GitAccess, GitWorkspaceOptions } from './gitAccess.js';
import { readLease } from './leaseRecord.js';
import { branchProblem, leaseRecordPath, runBranchName, runDir, runWorktreePath, taskBranchName, taskWorktreePath } from './layout.js';
import type { RunLeaseRequest, TaskWorkspaceOutcome, TaskWorkspaceRequest } from './port.js';

interface HeldTask {
  readonly epoch: number;
  readonly branch: string;
  readonly worktree: string;
}

/**
 * `leaseRunWorkspace`, `taskWorkspace` and `forgetRun` of the git workspace.
 * What is remembered, and what makes it be asked of git again: docs/decisions.md
 * ("A session remembers the worktrees it checked").
 */
export function createWorkspaceLeases(access: GitAccess, options: GitWorkspaceOptions) {
  const { run, must, roots, resolveCommit, checkBranch, branchTip, branchTips, ensureWorktree, addNewWorktree, mergeInto } = access;
  const leases = new Map<string, { readonly base: string; readonly lease: LeaseInfo }>();
  const tasks = new Map<string, HeldTask>();

  /** The worktree is there, registered from the repository's side, its HEAD names `branch`, and that branch exists: read from git's files. */
  const onBranch = async (worktree: string, branch: string) =>
    (await stat(worktree).then((s) => s.isDirectory(), () => false)) && (await roots()).gitDirs.headOf(worktree, branch) !== null;

  async function leaseRunWorkspace({ runId, base }: RunLeaseRequest): Promise<LeaseOutcome> {
    const problem = branchProblem('run', runId);
    if (problem !== null) throw new BuranError({ code: 'invalid_input', message: problem, details: { runId } });
    const { repo, store } = await roots();
    const branch = runBranchName(runId);
    await checkBranch(repo, problem, branch, { runId });
    const worktree = runWorktreePath(store, runId);
    const held = leases.get(runId);
    if (held !== undefined && held.base === base) {
      const record = await readLease(store, runId);
      if (record?.established === true && record.base === base && record.baseCommit === held.lease.baseCommit && (await onBranch(worktree, branch))) return { status: 'acquired', lease: held.lease };
    }
    leases.delete(runId);
    const conflict = (message: string, details: Record<string, unknown> = {}): LeaseOutcome => ({ status: 'conflict', message, details: { runId, branch, base, ...details } });
    await mkdir(runDir(store, runId), { recursive: true });
    let record = await readLease(store, runId);
    if (record !== null && record.base !== base) {
      return conflict(`run ${runId} was leased from base ${record.base}, not ${base}`, { leasedBase: record.base });
    }
    let tip: string | null | undefined;
    if (record === null) {
      if ((tip = await branchTip(repo, branch)) !== null) return conflict(`branch ${branch} already exists and was not created for this run`);
      const baseCommit = await resolveCommit(repo, base);
      if (baseCommit === null) return conflict(`base ${base} does not resolve to a commit`);
      record = { runId, base, branch, worktree, baseCommit };
      // The record goes first: after a crash, a re-lease finds the same base commit.
      await writeFileDurable(leaseRecordPath(store, runId), `${JSON.stringify(record, null, 2)}\n`);
    }
    // Just asked when the record was made now (one driver per run): not asked twice.
    if ((tip === undefined ? await branchTip(repo, branch) : tip) === null) {
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
    leases.set(runId, { base, lease });
    return { status: 'acquired', lease };
  }

  async function taskWorkspace({ runId, taskId, epoch, update = true }: TaskWorkspaceRequest): Promise<TaskWorkspaceOutcome> {
    const problem = branchProblem('task', runId, taskId);
    if (problem !== null) throw new BuranError({ code: 'invalid_input', message: problem, details: { runId, taskId } });
    const { repo, store } = await roots();
    const branch = taskBranchName(runId, taskId);
    await checkBranch(repo, problem, branch, { runId, taskId });
    const runBranch = runBranchName(runId);
    const worktree = taskWorktreePath(store, runId, taskId);
    const key = `${runId}\0${taskId}`;
    const ready = (): TaskWorkspaceOutcome => {
      tasks.set(key, { epoch, branch, worktree });
      return { status: 'ready', branch, worktree };
    };
    const held = tasks.get(key);
    tasks.delete(key);
    const leased = (await readLease(store, runId)) !== null;
    // The run branch too: a step of a task whose run lost its branch is lease_lost (asked of git below), whatever the step.
    if (held?.epoch === epoch && leased && (await onBranch(worktree, branch)) && (await roots()).gitDirs.tipOf(runBranch) !== null) return ready();
    // A task's first worktree: a new branch from the run branch as it stands now (after its dependencies merged), one git process.
    if (epoch === 1 && leased && (await addNewWorktree(worktree, branch, `refs/heads/${runBranch}`))) return ready();
    const tips = await branchTips(repo, [runBranch, branch]);
    const runTip = tips.get(runBranch) ?? null;
    if (!leased || runTip === null) {
      throw new BuranError({ code: 'lease_lost', message: `run ${runId} has no leased workspace (branch ${runBranch})`, details: { runId } });
    }
    const attachProblem = await ensureWorktree(worktree, branch, tips.get(branch) === null ? runTip : undefined);
    if (attachProblem !== null) {
      throw new BuranError({ code: 'lease_lost', message: attachProblem, details: { runId, taskId, worktree } });
    }
    if (epoch > 1 && update) {
      const upToDate = await run(worktree, ['merge-base', '--is-ancestor', runTip, 'HEAD']);
      if (upToDate.exitCode !== 0) {
        const merged = await mergeInto(worktree, runTip, '--ff', `buran: update task ${taskId} from ${runBranch} (epoch ${epoch})`, [`Buran-Task: ${taskId}`, `Buran-Epoch: ${epoch}`, ...(options.trailers ?? [])].join('\n'));
        if (merged.status === 'conflict') return merged;
      }
    }
    return ready();
  }

  /** Forgets what was checked of a run (its worktrees are being removed). */
  function forgetRun(runId: string): void {
    leases.delete(runId);
    for (const key of [...tasks.keys()]) if (key.startsWith(`${runId}\0`)) tasks.delete(key);
  }

  return { leaseRunWorkspace, taskWorkspace, forgetRun };
}
