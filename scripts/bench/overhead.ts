// 1 + 2. Runner overhead per task with an instant scripted worker, on the
// memory store and on the real file store, with every store write timed.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import type { EngineStore } from '../../src/engine/storePort.js';
import { createFileStore, createMemoryStore, initStore } from '../../src/store/index.js';
import { mean, summary } from './stats.js';
import { BenchBudgetExceeded, type SnapshotTiming, type AppendTiming, timedStore } from './timedStore.js';
import { benchInput } from './workload.js';

export type StoreKind = 'memory' | 'file';

export interface PhaseCost {
  /** Mean ms of one appendEvents call (one flush; an fsync on the file store). */
  readonly appendMs: number;
  /** Mean ms per appended event. */
  readonly appendMsPerEvent: number;
  /** Mean ms of one writeSnapshot call. */
  readonly snapshotMs: number;
  /** Mean snapshot size after the write (bytes; file store only). */
  readonly snapshotBytes: number | null;
}

export interface OverheadResult {
  readonly store: StoreKind;
  readonly tasks: number;
  /** True when the run reached handoff within the time budget. */
  readonly completed: boolean;
  readonly status: string;
  /** Tasks whose child reached working.passed. */
  readonly tasksPassed: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** wall / tasks passed (= / tasks when completed). */
  readonly wallPerTaskMs: number;
  readonly cpuPerTaskMs: number;
  readonly events: number;
  readonly appendCalls: number;
  readonly snapshotWrites: number;
  /** Total ms inside appendEvents ÷ events appended. */
  readonly appendMsPerEvent: number;
  readonly appendMsMedian: number;
  readonly appendMsP95: number;
  readonly snapshotMsMedian: number;
  readonly snapshotMsP95: number;
  /** Share of the wall time spent inside appendEvents / writeSnapshot. */
  readonly appendShare: number;
  readonly snapshotShare: number;
  readonly finalSnapshotBytes: number;
  /** Sum of snapshot sizes over every write (file store; null on memory). */
  readonly snapshotBytesWritten: number | null;
  readonly eventLogBytes: number;
  /** The first and last 10% of the flushes of the run. */
  readonly firstDecile: PhaseCost;
  readonly lastDecile: PhaseCost;
  /** Why the run was stopped early, or null. */
  readonly stopped: string | null;
}

function phase(appends: readonly AppendTiming[], snapshots: readonly SnapshotTiming[], part: 'first' | 'last'): PhaseCost {
  const slice = <T>(xs: readonly T[]): readonly T[] => {
    const k = Math.max(1, Math.floor(xs.length / 10));
    return part === 'first' ? xs.slice(0, k) : xs.slice(-k);
  };
  const a = slice(appends);
  const s = slice(snapshots);
  const sizes = s.map((x) => x.bytes).filter((b): b is number => b !== null);
  return {
    appendMs: mean(a.map((x) => x.ms)),
    appendMsPerEvent: a.reduce((t, x) => t + x.ms, 0) / Math.max(1, a.reduce((t, x) => t + x.events, 0)),
    snapshotMs: mean(s.map((x) => x.ms)),
    snapshotBytes: sizes.length === 0 ? null : mean(sizes),
  };
}

/** What the run left in the store, for the per-transition store measurements. */
export interface FinalRunFiles {
  readonly runId: string;
  readonly record: unknown;
  readonly snapshot: unknown;
  readonly events: unknown[];
}

/** Drive one run of `tasks` tasks to the end (or until `budgetMs` of wall time has passed). */
export async function measureOverhead(kind: StoreKind, tasks: number, budgetMs: number): Promise<{ result: OverheadResult; final: FinalRunFiles }> {
  const runId = `bench-${kind}-${tasks}`;
  const root = kind === 'file' ? await mkdtemp(join(tmpdir(), 'buran-bench-')) : null;
  try {
    let snapshotBytes: ((runId: string) => Promise<number>) | undefined;
    let finalSizes: () => Promise<{ snapshot: number; events: number }>;
    let inner: EngineStore;
    if (root !== null) {
      await initStore(root);
      const file = createFileStore({ root });
      inner = file;
      const sizeOf = async (name: string) => (await stat(join(file.runDir(runId), name))).size;
      snapshotBytes = () => sizeOf('snapshot.json');
      finalSizes = async () => ({ snapshot: await sizeOf('snapshot.json'), events: await sizeOf('events.jsonl') });
    } else {
      const memory = createMemoryStore();
      inner = memory;
      finalSizes = () => Promise.resolve({ snapshot: memory.hooks.raw(runId, 'snapshot')?.length ?? 0, events: memory.hooks.raw(runId, 'events')?.length ?? 0 });
    }
    let deadline = Number.POSITIVE_INFINITY;
    const timed = timedStore(inner, {
      ...(snapshotBytes === undefined ? {} : { snapshotBytes }),
      stopWhen: () => (performance.now() > deadline ? `stopped after ${Math.round(budgetMs / 1000)} s of wall time` : null),
    });
    const runner = createRunner({ store: timed.store, locks: createMemoryLocks(), effectsFor: () => createScriptedEffects() });
    await runner.createRun({ runId, record: { runId }, input: benchInput(runId, tasks) });

    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    deadline = t0 + budgetMs;
    let status = 'unknown';
    let stopped: string | null = null;
    try {
      status = (await runner.drive(runId)).status;
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (!(cause instanceof BenchBudgetExceeded) && !(error instanceof BenchBudgetExceeded)) throw error;
      stopped = cause instanceof BenchBudgetExceeded ? cause.reason : (error as BenchBudgetExceeded).reason;
      status = 'stopped';
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;

    const sizes = await finalSizes();
    const appendTotal = timed.appends.reduce((t, x) => t + x.ms, 0);
    const snapshotTotal = timed.snapshots.reduce((t, x) => t + x.ms, 0);
    const snapSizes = timed.snapshots.map((s) => s.bytes).filter((b): b is number => b !== null);
    const completed = stopped === null && status === 'handoff_ready';
    const done = completed ? tasks : Math.max(1, timed.passed.size);
    const appendStats = summary(timed.appends.map((a) => a.ms));
    const snapshotStats = summary(timed.snapshots.map((s) => s.ms));
    const final: FinalRunFiles = { runId, record: await inner.readRecord(runId), snapshot: await inner.readSnapshot(runId), events: await inner.readEvents(runId) };
    const result: OverheadResult = {
      store: kind,
      tasks,
      completed,
      status,
      tasksPassed: timed.passed.size,
      wallMs,
      cpuMs,
      wallPerTaskMs: wallMs / done,
      cpuPerTaskMs: cpuMs / done,
      events: timed.eventCount(),
      appendCalls: timed.appends.length,
      snapshotWrites: timed.snapshots.length,
      appendMsPerEvent: appendTotal / Math.max(1, timed.eventCount()),
      appendMsMedian: appendStats.median,
      appendMsP95: appendStats.p95,
      snapshotMsMedian: snapshotStats.median,
      snapshotMsP95: snapshotStats.p95,
      appendShare: appendTotal / wallMs,
      snapshotShare: snapshotTotal / wallMs,
      finalSnapshotBytes: sizes.snapshot,
      snapshotBytesWritten: snapSizes.length === 0 ? null : snapSizes.reduce((t, x) => t + x, 0),
      eventLogBytes: sizes.events,
      firstDecile: phase(timed.appends, timed.snapshots, 'first'),
      lastDecile: phase(timed.appends, timed.snapshots, 'last'),
      stopped,
    };
    return { result, final };
  } finally {
    if (root !== null) await rm(root, { recursive: true, force: true });
  }
}
