// What `buran prune` removes: the worktrees, branches and fetched attempt refs
// finished runs leave in the repository. Planned first (a dry run prints the
// plan), applied only when asked. A handoff branch is the work itself: kept
// unless asked. Refs on the queue's remote are left (docs/decisions.md).
import { BuranError } from '../domain/errors.js';
import type { FetchedAttemptRef, Workspace } from '../workspace/port.js';
import { runBranchName } from '../workspace/layout.js';

/** Stages after which nothing of the run will run again. Blocked runs are not finished: they can be retried. */
const FINISHED = new Set(['readyForReview', 'cancelled', 'failed']);

export interface PrunePlan {
  readonly runId: string;
  readonly stage: string;
  readonly worktrees: readonly string[];
  readonly branches: readonly string[];
  /** Local refs holding the run's queued attempts' fetched commits (`refs/buran/fetched/<attemptId>`). */
  readonly fetchedRefs: readonly FetchedAttemptRef[];
  /** The handoff branch left in place (without includeHandoff), or null. */
  readonly keptHandoff: string | null;
}

export interface PruneSources {
  readonly runs: readonly { readonly runId: string }[];
  /** The run's chart stage; throws for a run that cannot be read (it is then skipped, and said). */
  readonly stageOf: (runId: string) => Promise<string>;
  /** Whether a process drives the run now (its lock is held). */
  readonly driven: (runId: string) => Promise<boolean>;
  /** The run's attempts that went to the queue, with the base each job carried (none for a run whose attempts ran here). */
  readonly queuedAttempts: (runId: string) => readonly { readonly attemptId: string; readonly baseCommit: string }[];
  readonly workspace: Pick<Workspace, 'runLeftovers' | 'fetchedAttemptRefs'>;
}

/** One plan per finished run that still has something to remove (or a kept handoff branch), oldest run first. */
export async function planPrune(src: PruneSources, includeHandoff: boolean): Promise<{ plans: PrunePlan[]; skipped: { runId: string; reason: string }[] }> {
  const plans: PrunePlan[] = [];
  const skipped: { runId: string; reason: string }[] = [];
  for (const { runId } of src.runs) {
    let stage: string;
    try {
      stage = await src.stageOf(runId);
    } catch (error) {
      skipped.push({ runId, reason: error instanceof BuranError ? `${error.code}: ${error.message}` : String(error) });
      continue;
    }
    if (!FINISHED.has(stage) || (await src.driven(runId))) continue;
    const left = await src.workspace.runLeftovers(runId);
    const handoff = stage === 'readyForReview' ? runBranchName(runId) : null;
    const keep = handoff !== null && !includeHandoff && left.branches.includes(handoff) ? handoff : null;
    const branches = left.branches.filter((b) => b !== keep);
    const fetchedRefs = await src.workspace.fetchedAttemptRefs(src.queuedAttempts(runId));
    if (left.worktrees.length === 0 && branches.length === 0 && fetchedRefs.length === 0 && keep === null) continue;
    plans.push({ runId, stage, worktrees: left.worktrees, branches, fetchedRefs, keptHandoff: keep });
  }
  return { plans, skipped };
}

/** Removes what the plans name: worktrees first (a branch checked out in one cannot be deleted), then branches, then fetched refs. */
export async function applyPrune(workspace: Pick<Workspace, 'releaseRunWorkspace' | 'deleteRunBranches' | 'deleteFetchedRefs'>, plans: readonly PrunePlan[]): Promise<void> {
  for (const p of plans) {
    if (p.worktrees.length > 0) await workspace.releaseRunWorkspace(p.runId);
    if (p.branches.length > 0) await workspace.deleteRunBranches(p.runId, p.branches);
    if (p.fetchedRefs.length > 0) await workspace.deleteFetchedRefs(p.fetchedRefs);
  }
}
