// createRunner: the composition root that binds the charts to an effects
// port, persists every transition (event log first, then the snapshot), and
// drives a run until it is final, blocked, paused — or one step, on request.
import { createActor, type AnyActorRef, type InspectionEvent, type SnapshotFrom } from 'xstate';
import type { RunEvent, RunInput } from '../../machines/run.types.js';
import type { NotifyStatus } from '../domain/config.js';
import { type Blocker, type NextSafeAction, makeBlocker } from '../domain/blockers.js';
import { BuranError } from '../domain/errors.js';
import { EventRecordSchema, type EventRecord } from '../domain/events.js';
import { SNAPSHOT_SCHEMA_ID, SNAPSHOT_VERSION, SnapshotDocSchema, migrateSnapshot, type SnapshotDoc } from '../domain/snapshotDoc.js';
import { runMachine } from '../machines/index.js';
import { bindEffects } from './bindEffects.js';
import { type Clock, systemClock } from './clock.js';
import type { RunEffects } from './effects.js';
import { type ReadBranchTip, handoffMoved, moveAlreadyRecorded } from './handoffCheck.js';
import type { CommandInbox, OperatorEvent } from './inbox.js';
import type { RunLocks } from './locks.js';
import { type NotifyTargetResult, notificationDue } from './notifyDue.js';
import { attemptsOf, observationsToSend } from './observeCompletions.js';
import { Recorder, draftFor } from './recorder.js';
import { RUN_RECORD_NAME, chainHead, chainRecords, checkSeal, digestOf, sealOf } from './seal.js';
import { type RunStatus, nextSafeActionOf, stageOf, statusOf } from './runStatus.js';
import type { EngineStore } from './storePort.js';

export interface RunnerOptions {
  readonly store: EngineStore;
  readonly locks: RunLocks;
  /** The effects for a run (real ports, or a host's own). */
  readonly effectsFor: (runId: string) => RunEffects | Promise<RunEffects>;
  readonly clock?: Clock;
  /** Called for every event after it is durably appended (live progress). */
  readonly onEvent?: (event: EventRecord) => void;
  /** Where operator commands wait while another process drives the run (polled every `inboxPollMs`). */
  readonly inbox?: CommandInbox;
  readonly inboxPollMs?: number;
  /**
   * Reads a local branch's tip. When given, a handed-off run is compared with the
   * commit recorded at handoff by every view (inspect, drive): a moved branch makes
   * the view `blocked` with `handoff_moved`. Without it (a host with no git) no check is made.
   */
  readonly branchTip?: ReadBranchTip;
  /**
   * The run's records besides run.json that the runner binds by digest (name →
   * bytes, null when absent), e.g. sandbox.json and git-trust.json. Read after
   * `effectsFor` (which may write them) and checked before it on the next open.
   */
  readonly sealedFiles?: (runId: string) => Promise<Readonly<Record<string, Uint8Array | null>>>;
  /**
   * Tells people the run stopped where it waits for them (blocked, paused,
   * handoff-ready): called once per such transition, by the session that ends
   * there; the outcome is recorded (`notified` / `notify_failed`, nothing when
   * it returns no targets) and never changes the run or the result.
   */
  readonly notify?: (run: NotifyRequest) => Promise<readonly NotifyTargetResult[]>;
}

/** What a notification is about. */
export interface NotifyRequest {
  readonly runId: string;
  readonly status: NotifyStatus;
  readonly view: RunView;
  /** The time of the run's last event. */
  readonly updatedAt: string | null;
}

/** A command queued for the process that is driving the run. */
export interface QueuedCommand {
  readonly queued: true;
  readonly commandId: string;
}

export interface DriveOptions {
  /** Stop after the first recorded transition. */
  readonly step?: boolean;
}

export interface RunView {
  readonly runId: string;
  /** `blocked` also for a handed-off run whose branch moved (the stage stays `readyForReview`). */
  readonly status: RunStatus;
  readonly stage: string;
  readonly blocker: Blocker | null;
  /** The `handoff_moved` blocker when the run branch no longer points at the handed-off commit, else null. */
  readonly handoffMoved: Blocker | null;
  /** The `evidence_tampered` blocker when a record no longer matches what the runner wrote, else null. */
  readonly tampered: Blocker | null;
  readonly nextSafeAction: NextSafeAction;
  /** The seq of the last event of the run. */
  readonly lastSeq: number;
  readonly snapshot: SnapshotFrom<typeof runMachine>;
}

export interface DriveResult extends RunView {
  /** Events appended during this drive. */
  readonly appended: number;
  /** The previous holder when a dead driver's lock was taken over. */
  readonly takeover: Record<string, unknown> | null;
}

type RunSnapshot = SnapshotFrom<typeof runMachine>;

function corrupt(runId: string, what: string, reason: string): BuranError {
  return new BuranError({ code: 'store_corrupt', message: `run ${runId}: ${what} ${reason}`, details: { runId, what, reason } });
}

/** The input a persisted run was created with (ignored on restore, which takes the context; needed for the types). */
function inputOf(persisted: Record<string, unknown>): RunInput {
  const ctx = (persisted as { context: RunInput }).context;
  return { runId: ctx.runId, approvedHash: ctx.approvedHash, tasks: ctx.tasks, limits: ctx.limits, deadlineAt: ctx.deadlineAt ?? null };
}

/** The run snapshot with its task children restored as (unstarted) actors, for reading only. */
export function restoredView(persisted: Record<string, unknown>): RunSnapshot {
  return createActor(runMachine, { snapshot: persisted as never, input: inputOf(persisted) }).getSnapshot();
}

/**
 * Stop the run actor and every child. xstate stops a machine's children one at
 * a time and copies the children map for each (O(children²): ~350 ms for 1 100
 * task children). Everything is persisted by now, so each child is stopped the
 * way xstate's own stop action does it (the actor's internal `_stop`, which
 * `stop()` refuses for children) and the map is emptied; the root then stops
 * with nothing left. When an xstate version lacks `_stop`, the plain stop runs.
 * test/engine/sessionStop.test.ts checks that every in-flight effect is aborted.
 */
export function stopWithChildren(actor: AnyActorRef): RunSnapshot {
  const live = actor.getSnapshot() as RunSnapshot;
  // What the caller reads afterwards: the state as it stood, children (now stopped) included.
  const kept: RunSnapshot = { ...live, children: { ...live.children } };
  const children = (live as { children?: Record<string, unknown> }).children ?? {};
  const refs = Object.entries(children);
  if (refs.every(([, child]) => hasInternalStop(child))) {
    for (const [id, child] of refs) {
      if (hasInternalStop(child)) child._stop();
      delete children[id];
    }
  }
  actor.stop();
  return kept;
}

function hasInternalStop(child: unknown): child is { _stop: () => void } {
  return typeof child === 'object' && child !== null && typeof (child as { _stop?: unknown })._stop === 'function';
}

function isStopped(snap: RunSnapshot): boolean {
  const status = statusOf(snap);
  return snap.status !== 'active' || status === 'blocked' || status === 'paused';
}

/**
 * Create a runner. Embeddable: no process-global state, no process.exit;
 * every effect goes through `effectsFor`, every byte through `store`.
 * @example
 * const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => myEffects });
 * await runner.createRun({ runId: 'r1', record, input });
 * const result = await runner.drive('r1'); // → { status: 'handoff_ready', … } or { status: 'blocked', blocker, … }
 */
export function createRunner(options: RunnerOptions) {
  const clock = options.clock ?? systemClock;
  const { store, locks } = options;
  const tornReports = new Map<string, unknown>();

  async function loadDoc(runId: string): Promise<SnapshotDoc> {
    const raw = await store.readSnapshot(runId);
    if (raw === null || raw === undefined) throw corrupt(runId, 'snapshot.json', 'is missing although the run exists');
    const parsed = SnapshotDocSchema.safeParse(raw);
    if (!parsed.success) throw corrupt(runId, 'snapshot.json', `does not match ${SNAPSHOT_SCHEMA_ID}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const migrated = migrateSnapshot(parsed.data);
    if (!migrated.ok) throw corrupt(runId, 'snapshot.json', migrated.reason);
    return migrated.doc;
  }

  /** The validated log and its lines as stored; `repair` only for the lock holder (a torn tail is then moved aside and reported). */
  async function loadLog(runId: string, repair = false): Promise<{ events: EventRecord[]; raw: unknown[] }> {
    const { events: raw, torn } = await store.readEventLog(runId, { repair });
    if (torn !== null && repair) tornReports.set(runId, torn);
    const events = raw.map((line, i) => {
      const parsed = EventRecordSchema.safeParse(line);
      if (!parsed.success) throw corrupt(runId, 'events.jsonl', `line ${i + 1} is not an event record`);
      return parsed.data;
    });
    return { events, raw };
  }
  const loadEvents = async (runId: string, repair = false): Promise<EventRecord[]> => (await loadLog(runId, repair)).events;

  /** The records the runner seals: run.json (as stored) and the host's own. */
  async function sealedRecords(runId: string): Promise<Record<string, unknown>> {
    return { [RUN_RECORD_NAME]: await store.readRecord(runId), ...(options.sealedFiles === undefined ? {} : await options.sealedFiles(runId)) };
  }

  /** The evidence_tampered blocker when the log's chain or the snapshot's seal does not match the stored records. */
  async function tamperOf(runId: string, doc: SnapshotDoc, raw: readonly unknown[]): Promise<Blocker | null> {
    const broken = checkSeal({ snapshotSeq: doc.seq, snapshot: doc.snapshot, events: raw, files: await sealedRecords(runId) });
    if (broken === null) return null;
    return makeBlocker('evidence_tampered', runId, `run ${runId}: ${broken.file} ${broken.reason}; the run's records were changed outside buran and are not trusted`, { file: broken.file, reason: broken.reason });
  }

  /** The evidence_tampered blocker when a sealed record no longer holds what the session sealed. */
  async function changedRecord(runId: string, sealed: Readonly<Record<string, unknown>>): Promise<Blocker | null> {
    const now = await sealedRecords(runId);
    for (const [name, value] of Object.entries(sealed)) {
      if (value === null || value === undefined) continue;
      const current = now[name];
      if (current === null || current === undefined || digestOf(current) !== digestOf(value)) {
        const reason = `${current === null || current === undefined ? 'disappeared' : 'changed'} while the run was driven`;
        return makeBlocker('evidence_tampered', runId, `run ${runId}: ${name} ${reason}; the run's records were changed outside buran and are not trusted`, { file: name, reason });
      }
    }
    return null;
  }

  function view(runId: string, snap: RunSnapshot, lastSeq: number, over: Blocker | null = null): RunView {
    // A moved handoff or a tampered record is reported, never repaired: the stored state stays as it is.
    if (over !== null) {
      const moved = over.code === 'handoff_moved' ? over : null;
      const tampered = over.code === 'evidence_tampered' ? over : null;
      return { runId, status: 'blocked', stage: stageOf(snap.value), blocker: over, handoffMoved: moved, tampered, nextSafeAction: over.nextSafeAction, lastSeq, snapshot: snap };
    }
    return {
      runId,
      status: statusOf(snap),
      stage: stageOf(snap.value),
      blocker: statusOf(snap) === 'blocked' ? snap.context.blocker : null,
      handoffMoved: null,
      tampered: null,
      nextSafeAction: nextSafeActionOf(snap, runId),
      lastSeq,
      snapshot: snap,
    };
  }

  /** For a handed-off run: the handoff_moved blocker when its branch left the recorded commit (null without a branchTip port). */
  async function movedOf(runId: string, snap: RunSnapshot): Promise<Blocker | null> {
    const handoff = snap.context.handoff;
    if (options.branchTip === undefined || handoff === null || statusOf(snap) !== 'handoff_ready') return null;
    return handoffMoved(runId, handoff, await options.branchTip(handoff.branch));
  }

  /**
   * Restore the run under its lock, start it, optionally send events, and
   * keep persisting until `until` says stop. The lock is always released.
   */
  async function session(
    runId: string,
    send: readonly RunEvent[],
    until: (snap: RunSnapshot, appended: number) => boolean,
    startWhenQueued = false,
    inert = false,
  ): Promise<DriveResult> {
    const lock = await locks.acquire(runId);
    try {
      const doc = await loadDoc(runId);
      const { events, raw } = await loadLog(runId, true);
      const lastSeq = events.at(-1)?.seq ?? 0;
      if (doc.seq > lastSeq) throw corrupt(runId, 'events.jsonl', `ends at seq ${lastSeq} but the snapshot includes seq ${doc.seq}`);
      // Records changed outside buran are never driven on: nothing starts, nothing is written.
      const tampered = await tamperOf(runId, doc, raw);
      if (tampered !== null) return { ...view(runId, restoredView(doc.snapshot), lastSeq, tampered), appended: 0, takeover: lock.takeover };
      let head = chainHead(raw, doc.snapshot);
      const recorder = new Recorder(lastSeq, events.filter((e) => e.seq > doc.seq));
      let snapshotSeq = doc.seq;
      let loggedSeq = lastSeq;
      if (lock.takeover !== null) {
        recorder.add({ runId, type: 'lock_takeover', from: null, to: null, data: { previous: lock.takeover } });
      }
      const torn = tornReports.get(runId);
      if (torn !== undefined) {
        tornReports.delete(runId);
        recorder.add({ runId, type: 'torn_log', from: null, to: null, data: { torn } });
      }
      const hooks: Promise<void>[] = [];
      const effects = await options.effectsFor(runId);
      // Sealed as they stand now: effectsFor may have written them (before any worker of this session ran).
      const sealFiles = await sealedRecords(runId);
      const machine = bindEffects(effects, {
        inert,
        onLeaseLost: (message) => {
          if (actor === null || closed) return;
          actor.send({ type: 'LEASE_LOST', message } satisfies RunEvent);
          schedule();
        },
        onHook: (hook, done) => {
          hooks.push(
            done.catch((error: unknown) => {
              recorder.add({ runId, type: 'hook_failed', from: null, to: null, data: { hook, error: error instanceof Error ? error.message : String(error) } });
              schedule();
            }),
          );
        },
      });
      let closed = false;

      const lastValue = new Map<string, unknown>();
      let actor: AnyActorRef | null = null;
      let appended = 0;
      const written: EventRecord[] = [];
      let failure: unknown = null;
      let chain: Promise<void> = Promise.resolve();
      let wake: (() => void) | null = null;

      const inspect = (ev: InspectionEvent) => {
        // A task child spawned in this session: its first recorded transition starts from its initial state.
        if (ev.type === '@xstate.event' && ev.event.type === 'xstate.init') {
          const ref = ev.actorRef as AnyActorRef;
          if (ref !== actor && ref.id.startsWith('task:') && !lastValue.has(ref.id)) {
            lastValue.set(ref.id, (ref.getSnapshot() as { value?: unknown } | undefined)?.value ?? null);
          }
          return;
        }
        if (ev.type !== '@xstate.microstep' || ev._transitions.length === 0) return;
        const snap = ev.snapshot as { value?: unknown; context?: Record<string, unknown> };
        if (snap.value === undefined || snap.context === undefined) return;
        const ref = ev.actorRef as AnyActorRef;
        const id = ref.id;
        const taskId = ref === actor ? null : id.startsWith('task:') ? id.slice('task:'.length) : undefined;
        if (taskId === undefined) return;
        const before = lastValue.get(id) ?? null;
        lastValue.set(id, snap.value);
        recorder.add(draftFor(runId, taskId, before, { event: ev.event, value: snap.value, context: snap.context }));
        schedule();
      };

      const flush = async () => {
        // Nothing is written once the session closed (the lock may be gone, and a stopped actor has no children).
        if (actor === null || closed) return;
        // A driver whose lock was taken over (judged dead while it was stalled) must not write another byte.
        if (!(await lock.isHeld())) {
          throw new BuranError({
            code: 'run_locked',
            message: `run ${runId}: this driver no longer holds the run lock (another process took it over); it stopped without writing`,
            details: { runId },
          });
        }
        if (closed) return;
        let records = recorder.drain(clock.now());
        // Taken in the same tick as the drain: the state that includes exactly the events drained so far
        // (taken after the append's await it could include transitions whose events are not logged yet).
        // While logged transitions are still being re-taken, the snapshot restored from stays the resume point.
        const persisted = !recorder.replaying && snapshotSeq < recorder.lastSeq ? (actor.getPersistedSnapshot() as Record<string, unknown>) : null;
        if (persisted !== null && records.length === 0 && loggedSeq === recorder.lastSeq) {
          // A snapshot after re-taken events (logged by an earlier driver) is sealed by a note of its own.
          recorder.add({ runId, type: 'sealed', from: null, to: null, data: {} });
          records = recorder.drain(clock.now());
        }
        if (records.length > 0) {
          const last = records.length - 1;
          if (persisted !== null) records[last] = { ...(records[last] as EventRecord), seal: sealOf(persisted, sealFiles) };
          const nextHead = chainRecords(records, head);
          await store.appendEvents(runId, records);
          head = nextHead;
          loggedSeq = recorder.lastSeq;
        }
        // After a failed append (loggedSeq behind) no snapshot may claim the events that did not reach the log.
        if (persisted !== null && loggedSeq === recorder.lastSeq) {
          const next: SnapshotDoc = { schema: SNAPSHOT_SCHEMA_ID, version: SNAPSHOT_VERSION, runId, seq: recorder.lastSeq, snapshot: persisted };
          await store.writeSnapshot(runId, next);
          snapshotSeq = next.seq;
        }
        appended += records.length;
        written.push(...records);
        for (const r of records) options.onEvent?.(r);
      };
      function schedule() {
        chain = chain.then(flush).catch((error: unknown) => {
          failure ??= error;
        }).then(() => wake?.());
      }

      const restored = createActor(machine, { snapshot: doc.snapshot as never, input: inputOf(doc.snapshot), inspect });
      actor = restored;
      lastValue.set(restored.id, (doc.snapshot as { value?: unknown }).value ?? null);
      for (const [childId, child] of Object.entries((doc.snapshot as { children?: Record<string, { snapshot?: { value?: unknown } }> }).children ?? {})) {
        lastValue.set(childId, child.snapshot?.value ?? null);
      }
      // Completions that changed after ingest, or came late for attempts given up on (read before anything runs).
      const children = (doc.snapshot as { children?: Parameters<typeof attemptsOf>[0] }).children ?? {};
      const observations = inert || effects.observeCompletions === undefined ? [] : observationsToSend(children, await effects.observeCompletions(attemptsOf(children)));
      restored.subscribe({ error: (error: unknown) => { failure ??= error; wake?.(); } });
      restored.start();
      for (const { childId, event } of observations) (restored.getSnapshot().children as Record<string, AnyActorRef | undefined>)[childId]?.send(event);
      schedule();
      for (const event of send) restored.send(event);
      schedule();

      // The run wall-clock budget: the chart decides (its guard re-checks the time); the driver only reports it.
      const deadlineAt = restored.getSnapshot().context.deadlineAt;
      const deadlineTimer =
        deadlineAt === null
          ? null
          : setInterval(() => {
              const now = clock.now();
              if (now >= deadlineAt && restored.getSnapshot().status === 'active') {
                restored.send({ type: 'RUN_DEADLINE', now });
                schedule();
              }
            }, Math.min(1000, options.inboxPollMs ?? 200));
      if (deadlineAt !== null && clock.now() >= deadlineAt) restored.send({ type: 'RUN_DEADLINE', now: clock.now() });

      // Commands posted by other processes while this one drives.
      const inbox = options.inbox;
      let polling = false;
      const poll =
        inbox === undefined
          ? null
          : setInterval(() => {
              if (polling) return;
              polling = true;
              inbox
                .take(runId)
                .then(({ taken, invalid }) => {
                  for (const bad of invalid) recorder.add({ runId, type: 'command_rejected', from: null, to: null, data: { commandId: bad.id, reason: bad.reason } });
                  for (const { id, event } of taken) {
                    const snap = restored.getSnapshot();
                    if (snap.status === 'active' && snap.can(event)) restored.send(event);
                    else recorder.add({ runId, type: 'command_rejected', from: stageOf(snap.value), to: null, data: { commandId: id, command: event.type, reason: `not allowed in ${stageOf(snap.value)}` } });
                  }
                  schedule();
                })
                .catch((error: unknown) => {
                  failure ??= error;
                  wake?.();
                })
                .finally(() => {
                  polling = false;
                });
            }, options.inboxPollMs ?? 200);

      let started = false;
      await new Promise<void>((resolve) => {
        wake = () => {
          const snap = restored.getSnapshot();
          if (failure !== null || until(snap, appended)) {
            resolve();
            return;
          }
          // A driver starts an approved run as soon as intake has queued it.
          if (startWhenQueued && !started && stageOf(snap.value) === 'active.queued') {
            started = true;
            restored.send({ type: 'START' });
            schedule();
          }
        };
        wake();
      });
      wake = null;
      if (poll !== null) clearInterval(poll);
      if (deadlineTimer !== null) clearInterval(deadlineTimer);
      // Final-state hooks (release the lease, end workers) finish before the session reports.
      for (let i = 0; i < hooks.length; i++) await hooks[i];
      // Persist everything that happened before stopping: a stopped actor's
      // persisted snapshot no longer holds its children. No await between the
      // last drained flush and stop(), so nothing can slip in unrecorded.
      let settled: Promise<void>;
      do {
        settled = chain;
        await settled;
      } while (settled !== chain);
      // Stopped (final, blocked or paused): what the log holds beyond the snapshot is now in the state.
      if (failure === null && (recorder.replaying || snapshotSeq < recorder.lastSeq) && isStopped(restored.getSnapshot())) {
        recorder.endReplay();
        schedule();
        await chain;
      }
      // A handed-off run whose branch moved: noted once per new tip in the log (the state stays readyForReview; a final run takes no more transitions).
      const moved =
        failure === null && !inert
          ? await movedOf(runId, restored.getSnapshot()).catch((error: unknown) => {
              failure ??= error;
              return null;
            })
          : null;
      if (moved !== null && !moveAlreadyRecorded(events, moved)) {
        recorder.add({ runId, type: 'handoff_moved', from: stageOf(restored.getSnapshot().value), to: null, data: { branch: moved.details['branch'], recorded: moved.details['recorded'], current: moved.details['current'] } });
        schedule();
        await chain;
      }
      // A run that stopped where it waits for a person says so, once per transition into that state.
      if (failure === null && moved === null && options.notify !== undefined && isStopped(restored.getSnapshot())) {
        const snap = restored.getSnapshot();
        const due = notificationDue([...events, ...written], stageOf(snap.value));
        if (due !== null) {
          const request: NotifyRequest = { runId, status: due.status, view: view(runId, snap, recorder.lastSeq), updatedAt: written.at(-1)?.ts ?? events.at(-1)?.ts ?? null };
          const targets = await options.notify(request).catch((error: unknown): NotifyTargetResult[] => [
            { target: 'notify', ok: false, tries: 1, error: error instanceof Error ? error.message : String(error) },
          ]);
          if (targets.length > 0) {
            recorder.add({ runId, type: targets.every((t) => t.ok) ? 'notified' : 'notify_failed', from: null, to: null, data: { status: due.status, forSeq: due.forSeq, targets } });
            schedule();
            await chain;
          }
        }
      }
      // A sealed record changed while this driver ran (a worker without the sandbox can write the store): said now, not at the next read.
      const changed = failure === null ? await changedRecord(runId, sealFiles) : null;
      const stoppedAt = stopWithChildren(restored);
      closed = true;
      if (failure !== null) {
        throw failure instanceof BuranError
          ? failure
          : new BuranError({ code: 'internal', message: `run ${runId}: the engine stopped on an unexpected error: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`, details: { runId }, cause: failure });
      }
      return { ...view(runId, stoppedAt, recorder.lastSeq, changed ?? moved), appended, takeover: lock.takeover };
    } finally {
      await lock.release();
    }
  }

  return {
    /** Create a run from an approved packet: writes the record and the initial snapshot (nothing runs yet). */
    async createRun(args: { runId: string; record: unknown; input: RunInput }): Promise<void> {
      await store.createRun(args.runId, args.record);
      const actor = createActor(runMachine, { input: args.input });
      const doc: SnapshotDoc = { schema: SNAPSHOT_SCHEMA_ID, version: SNAPSHOT_VERSION, runId: args.runId, seq: 0, snapshot: actor.getPersistedSnapshot() };
      await store.writeSnapshot(args.runId, doc);
    },

    /** Drive until final, blocked or paused (or one step with `{ step: true }`). A queued run is started. */
    async drive(runId: string, opts: DriveOptions = {}): Promise<DriveResult> {
      return session(runId, [], (snap, appended) => isStopped(snap) || (opts.step === true && appended > 0), true);
    },

    /**
     * Apply an operator event (PAUSE, RESUME, CANCEL, UNBLOCK) and persist it; the run is not driven further.
     * When another process drives the run, the command is queued in the inbox for that driver instead.
     */
    async command(runId: string, event: OperatorEvent): Promise<DriveResult | QueuedCommand> {
      const doc = await loadDoc(runId);
      const effects = await options.effectsFor(runId);
      const machine = bindEffects(effects, { inert: true, onHook: () => undefined });
      const probe = machine.resolveState(doc.snapshot as never);
      if (!probe.can(event)) {
        throw new BuranError({
          code: 'invalid_input',
          message: `run ${runId} is ${stageOf(probe.value)}: ${event.type}${event.type === 'UNBLOCK' ? ` --decision ${event.decision}` : ''} is not allowed there`,
          details: { runId, stage: stageOf(probe.value), event: event.type, allowedDecisions: probe.context.allowedDecisions },
        });
      }
      try {
        // Commands change state and run final-state hooks only; effects run when the run is driven.
        return await session(runId, [event], (_snap, appended) => appended > 0, false, true);
      } catch (error) {
        if (options.inbox === undefined || !(error instanceof BuranError) || error.code !== 'run_locked') throw error;
        return { queued: true, commandId: await options.inbox.post(runId, event) };
      }
    },

    /** Whether a queued command is still waiting for the driver. */
    async commandPending(runId: string, commandId: string): Promise<boolean> {
      return options.inbox === undefined ? false : options.inbox.pending(runId, commandId);
    },

    /** The run as persisted (no lock needed; read-only). */
    async inspect(runId: string): Promise<RunView> {
      for (let tries = 0; ; tries++) {
        const doc = await loadDoc(runId);
        const { events, raw } = await loadLog(runId);
        const lastSeq = events.at(-1)?.seq ?? 0;
        // The driver appends before it snapshots, so a log behind the snapshot lost events: fail closed here too.
        if (doc.seq > lastSeq) throw corrupt(runId, 'events.jsonl', `ends at seq ${lastSeq} but the snapshot includes seq ${doc.seq}`);
        const snap = restoredView(doc.snapshot);
        const tampered = await tamperOf(runId, doc, raw);
        // A driver that just opened the run may have rewritten a record it seals at its next flush: look once more.
        if (tampered !== null && tries === 0) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          continue;
        }
        return view(runId, snap, lastSeq, tampered ?? (await movedOf(runId, snap)));
      }
    },

    /** The event log, read without repairing (safe while another process drives). */
    events: (runId: string) => loadEvents(runId, false),
  };
}

export type Runner = ReturnType<typeof createRunner>;
