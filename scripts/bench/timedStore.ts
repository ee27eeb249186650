// A wrapper around an engine store that times every appendEvents and
// writeSnapshot call (the engine's two writes per flush) without touching src/.
import type { EngineStore } from '../../src/engine/storePort.js';

export interface AppendTiming {
  readonly ms: number;
  readonly events: number;
}

export interface SnapshotTiming {
  readonly ms: number;
  /** Size of the snapshot document after the write (null when no probe was given). */
  readonly bytes: number | null;
}

export interface TimedStore {
  readonly store: EngineStore;
  readonly appends: AppendTiming[];
  readonly snapshots: SnapshotTiming[];
  /** Tasks whose task child reached `working.passed`, from the appended records. */
  readonly passed: Set<string>;
  /** Events appended so far. */
  eventCount(): number;
}

export class BenchBudgetExceeded extends Error {
  constructor(readonly reason: string) {
    super(`bench budget exceeded: ${reason}`);
  }
}

export interface TimedStoreOptions {
  /** Size in bytes of the run's snapshot as stored (measured after the timed write, outside the timer). */
  readonly snapshotBytes?: (runId: string) => Promise<number>;
  /** Called before each append; a non-null reason makes the append throw BenchBudgetExceeded (the drive then stops). */
  readonly stopWhen?: (eventsSoFar: number) => string | null;
}

/** Wrap `inner` (a plain-object store); every other call passes straight through. */
export function timedStore(inner: EngineStore, options: TimedStoreOptions = {}): TimedStore {
  const appends: AppendTiming[] = [];
  const snapshots: SnapshotTiming[] = [];
  const passed = new Set<string>();
  let events = 0;
  // Both stores are plain objects of closures, so a spread forwards every
  // other method of the port as it is (including ones added later).
  const store: EngineStore = {
    ...inner,
    async writeSnapshot(runId, snapshot) {
      const t0 = performance.now();
      await inner.writeSnapshot(runId, snapshot);
      const elapsed = performance.now() - t0;
      const size = options.snapshotBytes === undefined ? null : await options.snapshotBytes(runId);
      snapshots.push({ ms: elapsed, bytes: size });
    },
    async appendEvents(runId, records) {
      const reason = options.stopWhen?.(events) ?? null;
      if (reason !== null) throw new BenchBudgetExceeded(reason);
      const t0 = performance.now();
      await inner.appendEvents(runId, records);
      appends.push({ ms: performance.now() - t0, events: records.length });
      events += records.length;
      for (const r of records as { type?: unknown; to?: unknown; taskId?: unknown }[]) {
        if (r.type === 'task_transition' && r.to === 'working.passed' && typeof r.taskId === 'string') passed.add(r.taskId);
      }
    },
  };
  return { store, appends, snapshots, passed, eventCount: () => events };
}
