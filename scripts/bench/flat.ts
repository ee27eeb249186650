// `--only=flat` (issue 15, item 4): what persisting one step costs as a run
// grows, with every write a real driver makes (the Persister's own flush:
// take what changed, append the events, append the state line, index), the
// fsyncs each flush makes, the engine's CPU per task, and the resume of a
// 10,000-task run.
//
// The run of each size is a real run (scripted instant effects, memory store)
// stopped about half-way; its files are copied as they are (base, state lines,
// sealed events) into a file store, where a fresh runner drives it on with
// effects that answer one at a time, each after the previous flush is done, so
// each flush persists one step as with real workers and is timed alone. Every Persister.flush of that drive is timed, and
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
import { type ResumeResult, measureResumeOf } from './resume.js';
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
  /** Tasks passed between the first pass and the last (the figure's denominator). */
  readonly passed: number;
  readonly cpuMsPerTask: number;
  readonly wallMsPerTask: number;
  /** The whole drive's CPU ÷ the tasks passed in it (start-up and, for a whole run, handoff included). */
  readonly driveCpuMsPerTask: number;
  readonly drivePassed: number;
}

/** Where the run is stopped before the flushes are timed: about a third of a small run, 5,000 events of a large one. */
const events = (n: number) => Math.min(5000, Math.round(3 * n));

/**
 * Effects whose answers wait in a queue; `release()` lets the oldest one answer.
 * Released once after each flush, so each flush persists exactly the step one
 * answer causes and no engine work runs while a flush is timed.
 */
function stepped(inner: RunEffects): { effects: RunEffects; release: () => void } {
  const queue: (() => void)[] = [];
  let credit = 0;
  const release = () => {
    const next = queue.shift();
    if (next === undefined) credit += 1;
    else next();
  };
  const gate = <T>(call: () => Promise<T>): Promise<T> =>
    new Promise<void>((resolve) => {
      if (credit > 0) {
        credit -= 1;
        resolve();
      } else queue.push(resolve);
    }).then(call);
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(inner) as [string, (...a: unknown[]) => Promise<unknown>][]) {
    out[name] = name.startsWith('release') || name === 'cancelWorkers' ? fn : (...a: unknown[]) => gate(() => fn(...a));
  }
  return { effects: out as unknown as RunEffects, release };
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

/**
 * Drive a run of `tasks` tasks on the memory store, one step per flush (as real
 * workers drive it), until `stopAt` events. The engine's CPU per task is taken
 * between the first and the last task passed (start-up and handoff left out).
 */
export async function steppedRun(runId: string, tasks: number, stopAt: number) {
  const memory = createMemoryStore();
  const wrapped = timedStore(memory, { stopWhen: (n) => (n >= stopAt ? 'stop' : null) });
  const gate = stepped(createScriptedEffects());
  const next = () => setImmediate(gate.release);
  const passes: { cpu: number; wall: number; passed: number }[] = [];
  const sample = () => {
    const c = process.cpuUsage();
    if (passes.at(-1)?.passed !== wrapped.passed.size) passes.push({ cpu: (c.user + c.system) / 1000, wall: performance.now(), passed: wrapped.passed.size });
  };
  const store: EngineStore = {
    ...wrapped.store,
    appendEvents: (id, records) => wrapped.store.appendEvents(id, records).finally(sample),
    appendStateLine: (id, base, line) => memory.appendStateLine(id, base, line).finally(next),
    writeSnapshot: (id, doc) => memory.writeSnapshot(id, doc).finally(next),
  };
  const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => gate.effects });
  await runner.createRun({ runId, record: { runId }, input: benchInput(runId, tasks) });
  const cpu0 = process.cpuUsage();
  next();
  await runner.drive(runId).catch((error: unknown) => {
    if (!((error as { cause?: unknown }).cause instanceof BenchBudgetExceeded)) throw error;
  });
  const cpu = process.cpuUsage(cpu0);
  const first = passes.find((p) => p.passed > 0);
  const last = passes.at(-1);
  const n = first === undefined || last === undefined ? 0 : last.passed - first.passed;
  const engine: EngineCpu = { tasks, passed: n, cpuMsPerTask: n === 0 ? NaN : ((last?.cpu ?? 0) - (first?.cpu ?? 0)) / n, wallMsPerTask: n === 0 ? NaN : ((last?.wall ?? 0) - (first?.wall ?? 0)) / n, driveCpuMsPerTask: (cpu.user + cpu.system) / 1000 / Math.max(1, wrapped.passed.size), drivePassed: wrapped.passed.size };
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

/** With `resumeReps`, the run as the flushes left it on the file store is then resumed (measureResumeOf). */
export async function measureFlushAt(tasks: number, flushes: number, resumeReps = 0): Promise<{ flush: FlushAtSize; engine: EngineCpu; resume: ResumeResult | null }> {
  const runId = `flat-${tasks}`;
  const built = await steppedRun(runId, tasks, events(tasks));
  const { memory, passed } = built;
  // A small run stopped early has too few passes to tell: its engine figure is a whole run's.
  const engine = built.engine.passed >= Math.min(tasks - 1, 100) ? built.engine : (await steppedRun(`${runId}-cpu`, tasks, Number.POSITIVE_INFINITY)).engine;
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
      // The next step starts once this flush is done.
      setImmediate(gate.release);
    };
    const gate = stepped(createScriptedEffects());
    const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => gate.effects });
    const appendedBefore = appended;
    await runner.drive(runId).catch((error: unknown) => {
      const cause = (error as { cause?: unknown }).cause;
      if (!(cause instanceof BenchBudgetExceeded) && !(error instanceof BenchBudgetExceeded)) throw error;
    });
    const t = summary(times);
    const s = summary(syncs);
    const resume = resumeReps > 0 ? await measureResumeOf(file, runId, tasks, resumeReps) : null;
    return {
      engine,
      resume,
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
