// Recovering scope locks left behind by runs that no longer hold them. A run
// releases its scope when it reaches a final state or blocks; a runner killed
// between that snapshot and the release leaves the entry behind, and every
// later run with an overlapping scope would block on a run that is not using it.
// Recovery is explicit and narrow: only the entry of the run that is in the
// way, only when its own persisted snapshot proves it finished — or blocked
// while no driver holds its run lock (a driver may be re-taking the scope after
// a retry before its next snapshot says so) — and every dropped entry is
// returned so the caller records it.
import { SnapshotDocSchema } from '../domain/snapshotDoc.js';
import type { ScopeAcquireOutcome, ScopeLockEntry, ScopeLocks } from '../workspace/index.js';

/** Reads a run's persisted snapshot (null when the run is unknown). */
export type SnapshotReader = (runId: string) => Promise<unknown>;

/** Whether a driver holds the run's lock now (a live process). */
export type DrivenCheck = (runId: string) => Promise<boolean>;

/** True only when the run's snapshot is readable and its chart reached a final state. */
export async function runIsFinished(readSnapshot: SnapshotReader, runId: string): Promise<boolean> {
  return (await storedState(readSnapshot, runId)) === 'final';
}

/** True when the run is proven finished, or blocked (its snapshot says so) with no driver holding it. */
export async function runHoldsNoScope(readSnapshot: SnapshotReader, isDriven: DrivenCheck, runId: string): Promise<boolean> {
  const state = await storedState(readSnapshot, runId);
  if (state === 'final') return true;
  // A driver (or an operator command) may be moving the run out of blocked right now: only an undriven one is idle.
  return state === 'blocked' && !(await isDriven(runId).catch(() => true));
}

async function storedState(readSnapshot: SnapshotReader, runId: string): Promise<'final' | 'blocked' | 'other'> {
  let raw: unknown;
  try {
    raw = await readSnapshot(runId);
  } catch {
    // Unreadable (corrupt, missing folder): not proven finished, so its lock stands.
    return 'other';
  }
  const doc = SnapshotDocSchema.safeParse(raw);
  if (!doc.success) return 'other';
  const snapshot = doc.data.snapshot as { status?: unknown; value?: unknown };
  if (snapshot.status === 'done') return 'final';
  return snapshot.status === 'active' && snapshot.value === 'blocked' ? 'blocked' : 'other';
}

export interface AcquireWithRecovery {
  readonly outcome: ScopeAcquireOutcome;
  /** Entries of finished or idle blocked runs that were dropped on the way (empty when none were in the way). */
  readonly recovered: readonly ScopeLockEntry[];
}

/**
 * Take `scope` for `runId`; when the run in the way is proven finished (or
 * blocked and undriven, see `runHoldsNoScope`), drop its entry and try again.
 * A holder that is paused, running, being driven or unknown keeps its lock and
 * the outcome stays a conflict (fail closed). Without `isDriven`, only finished
 * holders are dropped.
 */
export async function acquireScopeRecovering(
  scopes: ScopeLocks,
  readSnapshot: SnapshotReader,
  runId: string,
  scope: readonly string[],
  isDriven: DrivenCheck = () => Promise.resolve(true),
): Promise<AcquireWithRecovery> {
  const recovered: ScopeLockEntry[] = [];
  let outcome = await scopes.acquireScope(runId, scope);
  const tried = new Set<string>();
  while (outcome.status === 'conflict' && !tried.has(outcome.otherRun)) {
    tried.add(outcome.otherRun);
    const other = outcome.otherRun;
    const dropped = await scopes.recoverIf(other, () => runHoldsNoScope(readSnapshot, isDriven, other));
    if (dropped.length === 0) break;
    recovered.push(...dropped);
    outcome = await scopes.acquireScope(runId, scope);
  }
  return { outcome, recovered };
}
