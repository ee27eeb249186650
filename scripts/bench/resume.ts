// 4. Resume of a run with 10k events: a real run, stopped mid-way once its
// log passed 10,000 events, copied into a file store, then loaded by a fresh
// store and runner (as a new `buran` process would).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor } from 'xstate';
import type { RunInput } from '../../machines/run.types.js';
import { EventRecordSchema } from '../../src/domain/events.js';
import { bindEffects } from '../../src/engine/bindEffects.js';
import type { RunEffects } from '../../src/engine/effects.js';
import { createFileLocks, createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner, stopWithChildren, restoredView } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { loadStoredState } from '../../src/engine/storedState.js';
import type { EngineStore } from '../../src/engine/storePort.js';
import { createFileStore, createMemoryStore, initStore } from '../../src/store/index.js';
import { copyRun } from './flat.js';
import { summary } from './stats.js';
import { BenchBudgetExceeded, timedStore } from './timedStore.js';
import { benchInput } from './workload.js';

export interface ResumeResult {
  readonly tasks: number;
  readonly events: number;
  readonly eventLogBytes: number;
  /** The base snapshot.json and the state lines on top of it. */
  readonly snapshotBytes: number;
  readonly stateLineBytes: number;
  /** Task children in the restored snapshot. */
  readonly children: number;
  readonly reps: number;
  /** runner.inspect: read + validate snapshot and events, restore a read-only view (ms). */
  readonly inspectMedianMs: number;
  readonly inspectMaxMs: number;
  /** runner.drive({ step: true }): lock, load, restore + start, one transition persisted, stop (ms). */
  readonly driveStepMedianMs: number;
  readonly driveStepMaxMs: number;
  /** Parts of the load, each timed alone (medians, ms); readSnapshotMs is the stored state: base read, lines read and applied, chain checked. */
  readonly readEventsMs: number;
  readonly validateEventsMs: number;
  readonly readSnapshotMs: number;
  readonly restoreViewMs: number;
  /** createActor from the snapshot + start (effects never answer), then stop: the two ends of every drive (medians, ms). */
  readonly restoreStartMs: number;
  readonly stopMs: number;
}

/**
 * Effects where only the first call answers (instantly) and every later call
 * never does: a resumed run then takes exactly the transitions of one effect
 * result, so `drive({ step: true })` stops after the first flush instead of
 * racing through the rest of the run while that flush is on disk.
 */
function oneAnswer(inner: RunEffects): RunEffects {
  let answered = false;
  const once = <T>(call: () => Promise<T>): Promise<T> => {
    if (answered) return new Promise<T>(() => undefined);
    answered = true;
    return call();
  };
  return {
    checkIntake: (i) => once(() => inner.checkIntake(i)),
    checkPrerequisites: (i) => once(() => inner.checkPrerequisites(i)),
    checkAdapters: (i) => once(() => inner.checkAdapters(i)),
    acquireLease: (i) => once(() => inner.acquireLease(i)),
    checkApprovals: (i) => once(() => inner.checkApprovals(i)),
    reacquireScope: (i) => once(() => inner.reacquireScope(i)),
    dispatchWorker: (i) => once(() => inner.dispatchWorker(i)),
    awaitCompletion: (i, signal) => once(() => inner.awaitCompletion(i, signal)),
    commitAttempt: (i) => once(() => inner.commitAttempt(i)),
    runTaskVerification: (i) => once(() => inner.runTaskVerification(i)),
    runTaskReview: (i) => once(() => inner.runTaskReview(i)),
    mergeTask: (i) => once(() => inner.mergeTask(i)),
    runVerification: (i) => once(() => inner.runVerification(i)),
    runReview: (i) => once(() => inner.runReview(i)),
    performHandoff: (i) => once(() => inner.performHandoff(i)),
    releaseLease: (runId) => inner.releaseLease(runId),
    releaseScope: (runId) => inner.releaseScope(runId),
    cancelWorkers: (runId) => inner.cancelWorkers(runId),
  };
}


async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

export async function measureResume(minEvents: number, tasks: number, reps: number): Promise<ResumeResult> {
  const runId = 'bench-resume';
  // 1. A real run in memory, stopped at the first flush after the log reached minEvents.
  const memory = createMemoryStore();
  const wrapped = timedStore(memory, { stopWhen: (n) => (n >= minEvents ? `reached ${n} events` : null) });
  const producer = createRunner({ store: wrapped.store, locks: createMemoryLocks(), effectsFor: () => createScriptedEffects() });
  await producer.createRun({ runId, record: { runId }, input: benchInput(runId, tasks) });
  try {
    const result = await producer.drive(runId);
    throw new Error(`the resume run ended (${result.status}) before it had ${minEvents} events; use more tasks`);
  } catch (error) {
    if (!((error as { cause?: unknown }).cause instanceof BenchBudgetExceeded)) throw error;
  }
  return measureResumeOf(memory, runId, tasks, reps);
}

/** Resume a run held by `from` (copied as it is stored into a fresh file store): inspect, drive one step, and the parts of the load. */
export async function measureResumeOf(from: EngineStore, runId: string, tasks: number, reps: number): Promise<ResumeResult> {
  const events = await from.readEvents(runId);
  // 2. The same files on disk.
  const root = await mkdtemp(join(tmpdir(), 'buran-bench-resume-'));
  try {
    await initStore(root);
    const writer = createFileStore({ root });
    // As the producer left them: the base snapshot, its state lines and the sealed events.
    await copyRun(from, writer, runId);
    const dir = writer.runDir(runId);
    const eventLogBytes = (await stat(join(dir, 'events.jsonl'))).size;
    const base = (await writer.readSnapshot(runId)) as { seq: number };
    const snapshotBytes = (await stat(join(dir, 'snapshot.json'))).size;
    const stateLineBytes = await stat(join(dir, `snapshot.${base.seq}.jsonl`)).then((s) => s.size, () => 0);
    const composed = await loadStoredState(writer, runId);
    const children = Object.keys((composed?.snapshot as { children?: Record<string, unknown> } | undefined)?.children ?? {}).length;

    const inspectMs: number[] = [];
    const stepMs: number[] = [];
    const readEventsMs: number[] = [];
    const validateMs: number[] = [];
    const readSnapshotMs: number[] = [];
    const restoreMs: number[] = [];
    const restoreStartMs: number[] = [];
    const stopMs: number[] = [];
    for (let i = 0; i < reps; i += 1) {
      // A fresh store and runner each time: nothing cached from the previous pass.
      const store = createFileStore({ root });
      const locks = createFileLocks((id) => store.runDir(id));
      inspectMs.push((await timed(() => createRunner({ store, locks, effectsFor: () => createScriptedEffects() }).inspect(runId)))[0]);

      const parts = createFileStore({ root });
      const [readE, rawEvents] = await timed(() => parts.readEvents(runId));
      readEventsMs.push(readE);
      const t0 = performance.now();
      for (const line of rawEvents) EventRecordSchema.parse(line);
      validateMs.push(performance.now() - t0);
      const [readS, doc] = await timed(async () => {
        const loaded = await loadStoredState(parts, runId);
        if (loaded === null) throw new Error('no snapshot');
        return loaded;
      });
      readSnapshotMs.push(readS);
      const t1 = performance.now();
      restoredView(doc.snapshot);
      restoreMs.push(performance.now() - t1);
      const ctx = (doc.snapshot as { context: RunInput }).context;
      const t2 = performance.now();
      const actor = createActor(bindEffects(createScriptedEffects(), { inert: true, onHook: () => undefined }), { snapshot: doc.snapshot as never, input: { runId: ctx.runId, approvedHash: ctx.approvedHash, tasks: ctx.tasks, limits: ctx.limits } });
      actor.start();
      const t3 = performance.now();
      stopWithChildren(actor);
      restoreStartMs.push(t3 - t2);
      stopMs.push(performance.now() - t3);

      const fresh = createFileStore({ root });
      const runner = createRunner({ store: fresh, locks: createFileLocks((id) => fresh.runDir(id)), effectsFor: () => oneAnswer(createScriptedEffects()) });
      const [ms, step] = await timed(() => runner.drive(runId, { step: true }));
      if (step.appended === 0) throw new Error(`the resumed run recorded no transition (${step.status}${step.blocker === null ? '' : `: ${step.blocker.code} ${step.blocker.message}`})`);
      stepMs.push(ms);
    }
    const inspect = summary(inspectMs);
    const step = summary(stepMs);
    return {
      tasks,
      events: events.length,
      eventLogBytes,
      snapshotBytes,
      stateLineBytes,
      children,
      reps,
      inspectMedianMs: inspect.median,
      inspectMaxMs: inspect.max,
      driveStepMedianMs: step.median,
      driveStepMaxMs: step.max,
      readEventsMs: summary(readEventsMs).median,
      validateEventsMs: summary(validateMs).median,
      readSnapshotMs: summary(readSnapshotMs).median,
      restoreViewMs: summary(restoreMs).median,
      restoreStartMs: summary(restoreStartMs).median,
      stopMs: summary(stopMs).median,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
