// `--only=flat` (issue 15, item 4): what persisting one step costs as a run
// grows, with every write a real driver makes (the Persister's own flush:
// take what changed, append the events, append the state line, index), the
// fsyncs each flush makes, the engine's CPU per task, and the resume of a
// 10,000-task run.
//
// The run of each size is a real run (scripted instant effects, memory store)
// stopped about half-way; its files are copied as they are (base, state lines,
// sealed events) into a file store, where a fresh runner drives it on with
// effects that answer one at a time, a few ms apart, so each flush persists one
// step as with real workers. Every Persister.flush of that drive is timed, and
// the fsyncs inside the store's state writes are counted.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEffects } from '../../src/engine/effects.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { Persister } from '../../src/engine/persister.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import type { EngineStore } from '../../src/engine/storePort.js';
import { createFileStore, createMemoryStore, initStore } from '../../src/store/index.js';
import { summary } from './stats.js';
import { BenchBudgetExceeded, timedStore } from './timedStore.js';
import { benchInput } from './workload.js';

export interface FlushAtSize {
  readonly tasks: number;
  /** Events and passed tasks of the state the flushes start from. */
  readonly startEvents: number;
  readonly startPassed: number;
  readonly baseBytes: number;
  readonly flushes: number;
  readonly flushMsMedian: number;
  readonly flushMsMean: number;
  readonly flushMsP95: number;
  readonly eventsPerFlush: number;
  /** fsyncs inside appendEvents + the state write, per flush. */
  readonly fsyncsMax: number;
  readonly fsyncsMean: number;
  /** Flushes that also rewrote the run's index entry (its stage changed), with their own fsyncs (not counted above). */
  readonly indexWrites: number;
  readonly stateLineBytesMedian: number;
}

export interface EngineCpu {
  readonly tasks: number;
  readonly passed: number;
  readonly cpuMsPerTask: number;
  readonly wallMsPerTask: number;
}

const events = (n: number) => Math.min(5000, Math.round(4.5 * n));

/** Every effect answers after `ms` (one at a time in practice), so each flush carries one step. */
function paced(inner: RunEffects, ms: number): RunEffects {
  const later = <T>(call: () => Promise<T>): Promise<T> => new Promise((resolve) => setTimeout(resolve, ms)).then(call);
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(inner) as [string, (...a: unknown[]) => Promise<unknown>][]) {
    out[name] = name.startsWith('release') || name === 'cancelWorkers' ? fn : (...a: unknown[]) => later(() => fn(...a));
  }
  return out as unknown as RunEffects;
}

/** Count FileHandle.sync calls (every fsync of the store goes through one) while `count` is on. */
async function syncCounter(dir: string): Promise<{ take(): number; restore(): void }> {
  const handle = await open(join(dir, '.probe'), 'w');
  const proto = Object.getPrototypeOf(handle) as { sync: (this: unknown) => Promise<void> };
  await handle.close();
  const original = proto.sync;
  let n = 0;
  proto.sync = function (this: unknown) {
    n += 1;
    return original.call(this);
  };
  return {
    take: () => {
      const v = n;
      n = 0;
      return v;
    },
    restore: () => {
      proto.sync = original;
    },
  };
}

/** Build a run of `tasks` tasks stopped at about half-way, on the memory store. */
async function halfWay(runId: string, tasks: number) {
  const memory = createMemoryStore();
  const wrapped = timedStore(memory, { stopWhen: (n) => (n >= events(tasks) ? 'half-way' : null) });
  const runner = createRunner({ store: wrapped.store, locks: createMemoryLocks(), effectsFor: () => createScriptedEffects() });
  await runner.createRun({ runId, record: { runId }, input: benchInput(runId, tasks) });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await runner.drive(runId).catch((error: unknown) => {
    if (!((error as { cause?: unknown }).cause instanceof BenchBudgetExceeded)) throw error;
  });
  const cpu = process.cpuUsage(cpu0);
  const passed = Math.max(1, wrapped.passed.size);
  const engine: EngineCpu = { tasks, passed: wrapped.passed.size, cpuMsPerTask: (cpu.user + cpu.system) / 1000 / passed, wallMsPerTask: (performance.now() - t0) / passed };
  return { memory, passed: wrapped.passed.size, engine };
}

/** Copy a run's files as they are (record, sealed events, base, its state lines) into another store. */
export async function copyRun(from: EngineStore, to: EngineStore, runId: string): Promise<{ baseBytes: number; events: number }> {
  await to.createRun(runId, await from.readRecord(runId));
  const all = await from.readEvents(runId);
  await to.appendEvents(runId, all);
  const base = (await from.readSnapshot(runId)) as { seq: number };
  await to.writeSnapshot(runId, base);
  for (const line of await from.readStateLines(runId, base.seq)) await to.appendStateLine(runId, base.seq, line);
  return { baseBytes: JSON.stringify(base).length, events: all.length };
}

export async function measureFlushAt(tasks: number, flushes: number): Promise<{ flush: FlushAtSize; engine: EngineCpu }> {
  const runId = `flat-${tasks}`;
  const { memory, passed, engine } = await halfWay(runId, tasks);
  const root = await mkdtemp(join(tmpdir(), 'buran-bench-flat-'));
  const counter = await syncCounter(root);
  // The Persister's own flush, wrapped to time it (restored in finally; called with the Persister as `this`).
  const proto = Persister.prototype as unknown as { flush: (this: Persister, ...args: Parameters<Persister['flush']>) => Promise<void> };
  const original = proto.flush;
  try {
    await initStore(root);
    const file = createFileStore({ root });
    const copied = await copyRun(memory, file, runId);
    const times: number[] = [];
    const syncs: number[] = [];
    const lineBytes: number[] = [];
    let indexWrites = 0;
    let appended = 0;
    let flushCalls = 0;
    /** fsyncs of the events and state writes of the current flush made before an index write (whose own are left out). */
    let stateSyncs = 0;
    const store: EngineStore = {
      ...file,
      async appendEvents(id, records) {
        if (flushCalls >= flushes) throw new BenchBudgetExceeded('enough flushes');
        appended += records.length;
        await file.appendEvents(id, records);
      },
      async appendStateLine(id, base, line) {
        lineBytes.push(JSON.stringify(line).length);
        await file.appendStateLine(id, base, line);
      },
      async indexRun(id, fields) {
        stateSyncs += counter.take();
        await file.indexRun(id, fields);
        counter.take(); // the index write's own fsyncs (registry lock and replace) are reported apart
        indexWrites += 1;
      },
    };
    proto.flush = async function (this: Persister, ...args: Parameters<Persister['flush']>) {
      const before = this.appended;
      counter.take();
      stateSyncs = 0;
      const t0 = performance.now();
      await original.apply(this, args);
      const elapsed = performance.now() - t0;
      const n = counter.take() + stateSyncs;
      if (this.appended > before) {
        flushCalls += 1;
        times.push(elapsed);
        syncs.push(n);
      }
    };
    const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => paced(createScriptedEffects(), 3) });
    const appendedBefore = appended;
    await runner.drive(runId).catch((error: unknown) => {
      const cause = (error as { cause?: unknown }).cause;
      if (!(cause instanceof BenchBudgetExceeded) && !(error instanceof BenchBudgetExceeded)) throw error;
    });
    const t = summary(times);
    const s = summary(syncs);
    return {
      engine,
      flush: {
        tasks,
        startEvents: copied.events,
        startPassed: passed,
        baseBytes: copied.baseBytes,
        flushes: times.length,
        flushMsMedian: t.median,
        flushMsMean: t.mean,
        flushMsP95: t.p95,
        eventsPerFlush: (appended - appendedBefore) / Math.max(1, times.length),
        fsyncsMax: s.max,
        fsyncsMean: s.mean,
        indexWrites,
        stateLineBytesMedian: summary(lineBytes).median,
      },
    };
  } finally {
    proto.flush = original;
    counter.restore();
    await rm(root, { recursive: true, force: true });
  }
}
