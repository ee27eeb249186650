// Recovering scope locks left behind by finished runs. A run releases its
// scope when it reaches a final state; a runner killed between that final
// snapshot and the release leaves the entry behind, and every later run with
// an overlapping scope would block on a run that will never move again.
// Recovery is explicit and narrow: only the entry of the run that is in the
// way, only when its own persisted snapshot proves it finished, and every
// dropped entry is returned so the caller records it.
import { SnapshotDocSchema } from '../domain/snapshotDoc.js';
import type { ScopeAcquireOutcome, ScopeLockEntry, ScopeLocks } from '../workspace/index.js';

/** Reads a run's persisted snapshot (null when the run is unknown). */
export type SnapshotReader = (runId: string) => Promise<unknown>;

/** True only when the run's snapshot is readable and its chart reached a final state. */
export async function runIsFinished(readSnapshot: SnapshotReader, runId: string): Promise<boolean> {
  let raw: unknown;
  try {
    raw = await readSnapshot(runId);
  } catch {
    // Unreadable (corrupt, missing folder): not proven finished, so its lock stands.
    return false;
  }
  const doc = SnapshotDocSchema.safeParse(raw);
  if (!doc.success) return false;
  return (doc.data.snapshot as { status?: unknown }).status === 'done';
}

export interface AcquireWithRecovery {
  readonly outcome: ScopeAcquireOutcome;
  /** Entries of finished runs that were dropped on the way (empty when none were in the way). */
  readonly recovered: readonly ScopeLockEntry[];
}

/**
 * Take `scope` for `runId`; when the run in the way is proven finished, drop
 * its entry and try again. A holder that is paused, blocked, running or
 * unknown keeps its lock and the outcome stays a conflict (fail closed).
 */
export async function acquireScopeRecovering(
  scopes: ScopeLocks,
  readSnapshot: SnapshotReader,
  runId: string,
  scope: readonly string[],
): Promise<AcquireWithRecovery> {
  const recovered: ScopeLockEntry[] = [];
  let outcome = await scopes.acquireScope(runId, scope);
  const tried = new Set<string>();
  while (outcome.status === 'conflict' && !tried.has(outcome.otherRun)) {
    tried.add(outcome.otherRun);
    if (!(await runIsFinished(readSnapshot, outcome.otherRun))) break;
    recovered.push(...(await scopes.recoverStale([outcome.otherRun])));
    outcome = await scopes.acquireScope(runId, scope);
  }
  return { outcome, recovered };
}
