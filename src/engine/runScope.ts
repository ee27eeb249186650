// A run's conflict surface across runs: the union of its tasks' scopes, taken
// when it leases and again when an operator retries it after a block, released
// when it blocks or ends. Holders that no longer use theirs (finished, or
// blocked with no driver) are recovered on the way, and the recovery reported.
import type { ScopeOutcome } from '../../machines/run.types.js';
import type { Packet } from '../domain/packet.js';
import type { RunStore } from '../store/port.js';
import { runLockHolder } from '../store/runLock.js';
import type { ScopeLocks } from '../workspace/index.js';
import { acquireScopeRecovering } from './staleScopes.js';
import { readStoredSnapshot } from './storedState.js';

export interface RunScope {
  /** Take the run's scope; a conflict names the run holding an overlapping one. Idempotent. */
  take(): Promise<ScopeOutcome>;
  /** Free it (nothing to do when it is not held). */
  release(): Promise<void>;
}

/** The union of the packet's task scopes, each glob once. Pure. */
export function scopeOf(packet: Packet): string[] {
  return [...new Set(packet.tasks.flatMap((t) => t.scope))];
}

export function createRunScope(o: { readonly scopes: ScopeLocks; readonly store: RunStore; readonly runId: string; readonly packet: Packet }): RunScope {
  const { scopes, store, runId } = o;
  const driven = async (id: string) => (await runLockHolder(store.runDir(id))) !== null;
  return {
    async take() {
      const { outcome, recovered } = await acquireScopeRecovering(scopes, (id) => readStoredSnapshot(store, id), runId, scopeOf(o.packet), driven);
      if (outcome.status === 'conflict') {
        return { status: 'conflict', message: `scope overlaps run ${outcome.otherRun}`, details: { otherRun: outcome.otherRun, overlapping: outcome.overlapping } };
      }
      return recovered.length === 0 ? { status: 'acquired' } : { status: 'acquired', recovered: recovered.map((e) => ({ runId: e.runId, scope: e.scope, acquiredAt: e.acquiredAt })) };
    },
    async release() {
      await scopes.releaseScope(runId);
    },
  };
}
