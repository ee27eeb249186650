// 2. Store cost of one persisted transition at a given run size, measured in
// isolation: with real workers every transition is its own flush (append one
// event + rewrite the whole snapshot), so this is what each transition costs
// on disk once the run is that big.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStore, initStore } from '../../src/store/index.js';
import type { FinalRunFiles } from './overhead.js';
import { summary } from './stats.js';

export interface TransitionCost {
  readonly tasks: number;
  readonly snapshotBytes: number;
  readonly eventLogBytes: number;
  readonly reps: number;
  readonly appendOneMsMedian: number;
  readonly appendOneMsP95: number;
  readonly snapshotWriteMsMedian: number;
  readonly snapshotWriteMsP95: number;
  /** Median of (append one event + write the snapshot). */
  readonly flushMsMedian: number;
  /** Recorded transitions per task in the measured run (events / tasks). */
  readonly transitionsPerTask: number;
  /** transitionsPerTask × flushMsMedian: store time per task when every transition is its own flush. */
  readonly storeMsPerTaskOneFlushEach: number;
}

/** Re-create the run's files in a fresh file store and time `reps` single-event appends and snapshot writes. */
export async function measureTransitionCost(tasks: number, final: FinalRunFiles, reps: number): Promise<TransitionCost> {
  const root = await mkdtemp(join(tmpdir(), 'buran-bench-tx-'));
  try {
    await initStore(root);
    const store = createFileStore({ root });
    const { runId } = final;
    await store.createRun(runId, final.record);
    await store.appendEvents(runId, final.events);
    await store.writeSnapshot(runId, final.snapshot);
    const template = final.events.at(-1) as Record<string, unknown>;
    const doc = final.snapshot as Record<string, unknown>;
    let seq = final.events.length;
    const appendMs: number[] = [];
    const snapshotMs: number[] = [];
    const flushMs: number[] = [];
    for (let i = 0; i < reps; i += 1) {
      seq += 1;
      const t0 = performance.now();
      await store.appendEvents(runId, [{ ...template, seq, ts: new Date().toISOString() }]);
      const t1 = performance.now();
      await store.writeSnapshot(runId, { ...doc, seq });
      const t2 = performance.now();
      appendMs.push(t1 - t0);
      snapshotMs.push(t2 - t1);
      flushMs.push(t2 - t0);
    }
    const dir = store.runDir(runId);
    const snapshotBytes = (await stat(join(dir, 'snapshot.json'))).size;
    const eventLogBytes = (await stat(join(dir, 'events.jsonl'))).size;
    const a = summary(appendMs);
    const s = summary(snapshotMs);
    const f = summary(flushMs);
    const transitionsPerTask = final.events.length / tasks;
    return {
      tasks,
      snapshotBytes,
      eventLogBytes,
      reps,
      appendOneMsMedian: a.median,
      appendOneMsP95: a.p95,
      snapshotWriteMsMedian: s.median,
      snapshotWriteMsP95: s.p95,
      flushMsMedian: f.median,
      transitionsPerTask,
      storeMsPerTaskOneFlushEach: transitionsPerTask * f.median,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
