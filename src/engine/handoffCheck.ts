// Pure: whether a handed-off run's branch still points at the commit recorded
// at handoff. The engine reads the branch (a port); this decides what it means.
import type { HandoffInfo } from '../../machines/run.types.js';
import { type Blocker, makeBlocker } from '../domain/blockers.js';

/** A branch's tip: its commit id and that commit's tree id. */
export interface BranchTipIds {
  readonly commit: string;
  readonly tree: string;
}

/** Reads the current tip of a local branch; null when the branch does not exist. */
export type ReadBranchTip = (branch: string) => Promise<BranchTipIds | null>;

/**
 * The `handoff_moved` blocker when the branch's current tip is not the
 * recorded one (or the branch is gone), else null. `details` carries both ids.
 * @example
 * handoffMoved('r1', handoff, { commit: 'bbb…', tree: 'ccc…' }); // → { code: 'handoff_moved', details: { recorded, current, … } }
 */
export function handoffMoved(runId: string, handoff: HandoffInfo, current: BranchTipIds | null): Blocker | null {
  if (current !== null && current.commit === handoff.commit) return null;
  const recorded = { commit: handoff.commit, tree: handoff.tree ?? null };
  const restore = `git branch -f ${handoff.branch} ${handoff.commit}`;
  const message =
    current === null
      ? `the run branch ${handoff.branch} was deleted after handoff (recorded ${handoff.commit}); to restore what was handed off: ${restore}`
      : `the run branch ${handoff.branch} moved after handoff: recorded ${handoff.commit}, now ${current.commit}${recorded.tree === current.tree ? ' (same tree: history rewritten, content unchanged)' : ''}; to restore what was handed off: ${restore}`;
  return makeBlocker('handoff_moved', runId, message, {
    runId,
    branch: handoff.branch,
    recorded,
    current,
    sameTree: current === null || recorded.tree === null ? null : recorded.tree === current.tree,
  });
}

/** Whether the log already holds a `handoff_moved` note for this same current tip (a driver records each move once). */
export function moveAlreadyRecorded(events: readonly { type: string; data: Record<string, unknown> }[], moved: Blocker): boolean {
  const last = events.findLast((e) => e.type === 'handoff_moved');
  return last !== undefined && JSON.stringify(last.data['current'] ?? null) === JSON.stringify(moved.details['current'] ?? null);
}
