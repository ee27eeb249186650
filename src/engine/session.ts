// One driving session of a run: take the run lock, load and check the stored
// run, restore the chart on its effects, feed it what happened while no driver
// ran, persist every transition (Persister), watch the deadline and the inbox,
// wait until the caller's condition, then settle, notify and stop. The lock is
// always released.
import { createActor, type AnyActorRef, type InspectionEvent } from 'xstate';
import type { RunEvent } from '../../machines/run.types.js';
import type { NotifyStatus } from '../domain/config.js';
import { BuranError } from '../domain/errors.js';
import type { EventRecord } from '../domain/events.js';
import { type HookName, bindEffects } from './bindEffects.js';
import type { Clock } from './clock.js';
import type { EffectsFactory } from './effects.js';
import type { CommandInbox } from './inbox.js';
import type { HeldLock, RunLocks } from './locks.js';
import { type NotifyMarks, notifyFindingOnce } from './notifyMarks.js';
import type { NotifyTargetResult } from './notifyDue.js';
import { attemptsOf, observationsToSend } from './observeCompletions.js';
import { Persister } from './persister.js';
import { Recorder, draftFor } from './recorder.js';
import type { RunRecords } from './runRecords.js';
import { type DriveResult, type HookFailure, type RunSnapshot, type RunView, inputOf, isStopped, restoredView, runViewOf, stopWithChildren } from './runView.js';
import { SANDBOX_RECORD_FILE, sandboxRecordOf } from './sandboxChoice.js';
import { stageOf } from './runStatus.js';
import { chainHead } from './seal.js';
import { endFindings, notifyIfDue } from './sessionEnd.js';
import { pollInbox, watchDeadline } from './sessionLoops.js';
import type { EngineStore } from './storePort.js';

/** What a notification is about. */
export interface NotifyRequest {
  readonly runId: string;
  readonly status: NotifyStatus;
  readonly view: RunView;
  /** The time of the run's last event. */
  readonly updatedAt: string | null;
}

export interface SessionDeps {
  readonly store: EngineStore;
  readonly locks: RunLocks;
  readonly records: RunRecords;
  readonly effectsFor: EffectsFactory;
  readonly clock: Clock;
  readonly onEvent?: (event: EventRecord) => void;
  readonly inbox?: CommandInbox;
  readonly inboxPollMs?: number;
  readonly rebaseMinBytes?: number;
  readonly notify?: (run: NotifyRequest) => Promise<readonly NotifyTargetResult[]>;
  /** Which blocks found by looking (tampered records, a moved handoff branch) were notified already. */
  readonly notifyMarks?: NotifyMarks;
}

export interface SessionRequest {
  readonly runId: string;
  /** Events sent once the restored run started. */
  readonly send: readonly RunEvent[];
  /** Stop waiting once this holds (checked after every flush). */
  readonly until: (snap: RunSnapshot, appended: number) => boolean;
  /** Start the run (START) as soon as intake has queued it. */
  readonly startWhenQueued: boolean;
  /** Effects are not started (operator commands change state and run final-state hooks only). */
  readonly inert: boolean;
  /** Stop waiting when aborted (the caller was interrupted): drained, stopped and unlocked as at any other end. */
  readonly stop?: AbortSignal;
  /**
   * Final-state hooks to run again on a run that ended with them unconfirmed (`buran cancel` of a cancelled run):
   * each records `hook_confirmed` when it succeeds, `hook_failed` again when not. With who asked and why.
   */
  readonly retryHooks?: { readonly hooks: readonly HookName[]; readonly by: string; readonly reason: string };
}

export async function runSession(deps: SessionDeps, req: SessionRequest): Promise<DriveResult> {
  const lock = await deps.locks.acquire(req.runId);
  try {
    return await drive(deps, req, lock);
  } finally {
    await lock.release();
  }
}

/** Turns the actors' microsteps into recorded transitions (the run's and its task children's). */
function transitionRecorder(runId: string, recorder: Recorder, root: () => AnyActorRef | null, changed: () => void, touched: (ref: unknown, root: AnyActorRef | null) => void) {
  const lastValue = new Map<string, unknown>();
  const inspect = (ev: InspectionEvent) => {
    // Every snapshot update marks the part of the state it changes (written at the next flush).
    if (ev.type === '@xstate.snapshot') {
      touched(ev.actorRef, root());
      return;
    }
    // A task child spawned in this session: its first recorded transition starts from its initial state.
    if (ev.type === '@xstate.event' && ev.event.type === 'xstate.init') {
      const ref = ev.actorRef as AnyActorRef;
      if (ref !== root() && ref.id.startsWith('task:') && !lastValue.has(ref.id)) {
        lastValue.set(ref.id, (ref.getSnapshot() as { value?: unknown } | undefined)?.value ?? null);
      }
      return;
    }
    if (ev.type !== '@xstate.microstep' || ev._transitions.length === 0) return;
    const snap = ev.snapshot as { value?: unknown; context?: Record<string, unknown> };
    if (snap.value === undefined || snap.context === undefined) return;
    const ref = ev.actorRef as AnyActorRef;
    const taskId = ref === root() ? null : ref.id.startsWith('task:') ? ref.id.slice('task:'.length) : undefined;
    if (taskId === undefined) return;
    const before = lastValue.get(ref.id) ?? null;
    lastValue.set(ref.id, snap.value);
    recorder.add(draftFor(runId, taskId, before, { event: ev.event, value: snap.value, context: snap.context }));
    changed();
  };
  /** The values the restored actors start from. */
  const restoredFrom = (rootId: string, persisted: Record<string, unknown>) => {
    lastValue.set(rootId, (persisted as { value?: unknown }).value ?? null);
    for (const [childId, child] of Object.entries((persisted as { children?: Record<string, { snapshot?: { value?: unknown } }> }).children ?? {})) {
      lastValue.set(childId, child.snapshot?.value ?? null);
    }
  };
  return { inspect, restoredFrom };
}

async function drive(deps: SessionDeps, req: SessionRequest, lock: HeldLock): Promise<DriveResult> {
  const { runId, inert } = req;
  const { records } = deps;
  const { doc, log, lastSeq } = await records.load(runId, true);
  // Records changed outside buran are never driven on: nothing starts, nothing is written.
  const tampered = await records.tamperOf(runId, doc, log.raw);
  if (tampered !== null) {
    const view = runViewOf(runId, restoredView(doc.snapshot), lastSeq, tampered);
    if (!inert) await notifyFindingOnce(deps, view, log.events.at(-1)?.ts ?? null);
    return { ...view, appended: 0, takeover: lock.takeover, hookFailures: [], hooksConfirmed: [] };
  }

  const recorder = new Recorder(lastSeq, log.events.filter((e) => e.seq > doc.seq));
  if (lock.takeover !== null) recorder.add({ runId, type: 'lock_takeover', from: null, to: null, data: { previous: lock.takeover } });
  if (log.torn !== null) recorder.add({ runId, type: 'torn_log', from: null, to: null, data: { torn: log.torn } });

  let actor: AnyActorRef | null = null;
  // Effects see the run as this driver holds it (the handoff's report), never a copy read back from disk.
  const effects = await deps.effectsFor(runId, { current: () => (actor === null ? null : (actor.getSnapshot() as RunSnapshot)) });
  // Sealed as they stand now: effectsFor may have written them (before any worker of this session ran).
  const sealFiles = await records.sealedRecords(runId);
  const indexed = (await deps.store.listRuns()).find((r) => r.runId === runId) ?? null;
  const sandbox = sandboxRecordOf(sealFiles[SANDBOX_RECORD_FILE])?.kind ?? null;
  const persister = new Persister({ store: deps.store, runId, recorder, lock, clock: deps.clock, sealFiles, head: chainHead(log.raw, doc.snapshot), snapshotSeq: doc.seq, restored: doc.snapshot, point: doc.point, sandbox, indexed, ...(deps.rebaseMinBytes === undefined ? {} : { rebaseMinBytes: deps.rebaseMinBytes }), ...(deps.onEvent === undefined ? {} : { onEvent: deps.onEvent }) });
  // An entry left behind (a crash after the last snapshot write, an older index without stages) is caught up first.
  await persister.index(doc);

  let closed = false;
  let failure: unknown = null;
  let chain: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;
  const fail = (error: unknown) => {
    failure ??= error;
    wake?.();
  };
  const schedule = () => {
    chain = chain
      // After a failed flush nothing more is written: its events are lost to this session, so no later batch could continue the log.
      .then(() => (actor === null || failure !== null ? undefined : persister.flush(actor, () => !closed)))
      .catch((error: unknown) => {
        failure ??= error;
      })
      .then(() => wake?.());
  };
  const settle = async () => {
    let settled: Promise<void>;
    do {
      settled = chain;
      await settled;
    } while (settled !== chain);
  };

  const hooks: Promise<void>[] = [];
  const hookFailures: HookFailure[] = [];
  const hooksConfirmed: HookName[] = [];
  /** A hook's outcome: a failure is a `hook_failed` event; a retried hook that succeeds is a `hook_confirmed` one. */
  const watchHook = (hook: HookName, done: Promise<void>, retried: { readonly by: string; readonly reason: string } | null) => {
    hooks.push(
      done.then(
        () => {
          if (retried === null) return;
          hooksConfirmed.push(hook);
          recorder.add({ runId, type: 'hook_confirmed', from: null, to: null, data: { hook, by: retried.by, reason: retried.reason } });
          schedule();
        },
        (error: unknown) => {
          const failed = hookFailureOf(hook, error);
          hookFailures.push(failed);
          recorder.add({ runId, type: 'hook_failed', from: null, to: null, data: { hook, error: failed.message, code: failed.code, details: failed.details, nextSafeAction: failed.nextSafeAction, ...(retried === null ? {} : { by: retried.by, reason: retried.reason }) } });
          schedule();
        },
      ),
    );
  };
  const machine = bindEffects(effects, { inert, onHook: (hook, done) => watchHook(hook, done, null) });

  const transitions = transitionRecorder(runId, recorder, () => actor, schedule, (ref, root) => persister.touch(ref, root));
  const restored = createActor(machine, { snapshot: doc.snapshot as never, input: inputOf(doc.snapshot), inspect: transitions.inspect });
  actor = restored;
  transitions.restoredFrom(restored.id, doc.snapshot);
  // Completions that changed after ingest, or came late for attempts given up on (read before anything runs).
  const children = (doc.snapshot as { children?: Parameters<typeof attemptsOf>[0] }).children ?? {};
  const observations = inert || effects.observeCompletions === undefined ? [] : observationsToSend(children, await effects.observeCompletions(attemptsOf(children)));
  restored.subscribe({ error: fail });
  restored.start();
  for (const { childId, event } of observations) (restored.getSnapshot().children as Record<string, AnyActorRef | undefined>)[childId]?.send(event);
  schedule();
  for (const event of req.send) restored.send(event);
  // Asked again, as the chart's final state asked them, with the run's id; their events end the session.
  for (const hook of req.retryHooks?.hooks ?? []) watchHook(hook, Promise.resolve().then(() => effects[hook](runId)), req.retryHooks ?? null);
  schedule();

  const pollMs = deps.inboxPollMs ?? 200;
  const stopDeadline = watchDeadline({ actor: restored, clock: deps.clock, pollMs, changed: schedule });
  const stopInbox = deps.inbox === undefined ? () => undefined : pollInbox({ inbox: deps.inbox, runId, actor: restored, recorder, pollMs, changed: schedule, failed: fail });

  let started = false;
  const onStop = () => wake?.();
  req.stop?.addEventListener('abort', onStop);
  await new Promise<void>((resolve) => {
    wake = () => {
      const snap = restored.getSnapshot();
      // A driver checks a waiting run's prerequisite again, once per session.
      const waiting = stageOf(snap.value) === 'active.waiting';
      if (failure !== null || req.stop?.aborted === true || (req.until(snap, persister.appended) && !(waiting && req.startWhenQueued && !started))) {
        resolve();
        return;
      }
      // A driver starts an approved run as soon as intake has queued it.
      if (req.startWhenQueued && !started && (stageOf(snap.value) === 'active.queued' || waiting)) {
        started = true;
        restored.send({ type: 'START' });
        schedule();
      }
    };
    wake();
  });
  wake = null;
  req.stop?.removeEventListener('abort', onStop);
  stopInbox();
  stopDeadline();
  // Hooks (release the scope or the lease, end workers) finish before the session reports.
  for (let i = 0; i < hooks.length; i++) await hooks[i];
  // Persist everything that happened before stopping: a stopped actor's persisted snapshot no longer
  // holds its children. No await between the last drained flush and stop(), so nothing slips in unrecorded.
  await settle();
  // Stopped (final, blocked or paused): what the log holds beyond the snapshot is now in the state.
  if (failure === null && (recorder.replaying || persister.behind) && isStopped(restored.getSnapshot())) {
    recorder.endReplay();
    schedule();
    await chain;
  }
  const finding = failure === null ? await endFindings(deps, runId, inert, restored, log.events, recorder, persister, sealFiles, schedule, () => chain).catch((error: unknown) => {
    failure ??= error;
    return null;
  }) : null;
  if (failure === null && finding === null) await notifyIfDue(deps, runId, restored, log.events, persister, recorder, schedule, () => chain);
  // A run stopped while its tasks still move (interrupted, or one step) may have taken transitions during the awaits above.
  await settle();
  const stoppedAt = stopWithChildren(restored);
  closed = true;
  if (failure !== null) {
    throw failure instanceof BuranError
      ? failure
      : new BuranError({ code: 'internal', message: `run ${runId}: the engine stopped on an unexpected error: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`, details: { runId }, cause: failure });
  }
  const view = runViewOf(runId, stoppedAt, recorder.lastSeq, finding);
  if (finding !== null && !inert) await notifyFindingOnce(deps, view, persister.written.at(-1)?.ts ?? log.events.at(-1)?.ts ?? null);
  return { ...view, appended: persister.appended, takeover: lock.takeover, hookFailures, hooksConfirmed };
}

function hookFailureOf(hook: string, error: unknown): HookFailure {
  if (error instanceof BuranError) return { hook, code: error.code, message: error.message, details: error.details, nextSafeAction: error.nextSafeAction };
  return { hook, code: null, message: error instanceof Error ? error.message : String(error), details: {}, nextSafeAction: null };
}
