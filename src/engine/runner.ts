// createRunner: the composition root that binds the charts to an effects
// port, persists every transition (event log first, then the snapshot), and
// drives a run until it is final, blocked, paused — or one step, on request.
// This file is the API; a driving session is src/engine/session.ts, reading
// and checking the stored run src/engine/runRecords.ts.
import { createActor } from 'xstate';
import type { RunInput } from '../../machines/run.types.js';
import { BuranError } from '../domain/errors.js';
import type { EventRecord } from '../domain/events.js';
import { SNAPSHOT_SCHEMA_ID, SNAPSHOT_VERSION, type SnapshotDoc } from '../domain/snapshotDoc.js';
import { runMachine } from '../machines/index.js';
import { decideRefusal } from './approvalView.js';
import { bindEffects } from './bindEffects.js';
import { type Clock, systemClock } from './clock.js';
import type { EffectsFactory } from './effects.js';
import type { ReadBranchTip } from './handoffCheck.js';
import type { CommandInbox, OperatorEvent } from './inbox.js';
import type { RunLocks } from './locks.js';
import type { NotifyTargetResult } from './notifyDue.js';
import type { NotifyMarks } from './notifyMarks.js';
import { createRunRecords } from './runRecords.js';
import { type DriveResult, type RunView, isStopped, restoredView, runViewOf } from './runView.js';
import { runIndexFields } from './runIndex.js';
import { stageOf } from './runStatus.js';
import { type NotifyRequest, type SessionDeps, runSession } from './session.js';
import { retriableHooks } from './unconfirmedHooks.js';
import type { EngineStore } from './storePort.js';

export type { DriveResult, RunView } from './runView.js';
export { restoredView, stopWithChildren } from './runView.js';
export type { NotifyRequest } from './session.js';

export interface RunnerOptions {
  readonly store: EngineStore;
  readonly locks: RunLocks;
  /** The effects for a run (real ports, or a host's own). */
  readonly effectsFor: EffectsFactory;
  readonly clock?: Clock;
  /** Called for every event after it is durably appended (live progress). */
  readonly onEvent?: (event: EventRecord) => void;
  /** Where operator commands wait while another process drives the run (polled every `inboxPollMs`). */
  readonly inbox?: CommandInbox;
  readonly inboxPollMs?: number;
  /** State lines go on top of a base snapshot until they hold more than it or this many bytes (default 256 KiB); then a new base is written. */
  readonly rebaseMinBytes?: number;
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
  /**
   * Where the runner keeps which blocks found by looking at a run (`evidence_tampered`,
   * `handoff_moved`) it notified, so each is notified once; outside the run's folder,
   * which a tampered run must not get written into. Without it those are not notified.
   */
  readonly notifyMarks?: NotifyMarks;
}

/** A command queued for the process that is driving the run. */
export interface QueuedCommand {
  readonly queued: true;
  readonly commandId: string;
}

export interface DriveOptions {
  /** Stop after the first recorded transition. */
  readonly step?: boolean;
  /**
   * Stop driving when aborted (e.g. on SIGINT): what happened so far is
   * persisted, effects in flight are stopped, the run lock is released and the
   * result is the run as it stands. Workers keep running under their own
   * supervisors; the next drive re-attaches to them.
   */
  readonly signal?: AbortSignal;
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
  const { store } = options;
  const records = createRunRecords({
    store,
    ...(options.sealedFiles === undefined ? {} : { sealedFiles: options.sealedFiles }),
    ...(options.branchTip === undefined ? {} : { branchTip: options.branchTip }),
  });
  const deps: SessionDeps = {
    store,
    locks: options.locks,
    records,
    effectsFor: options.effectsFor,
    clock: options.clock ?? systemClock,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    ...(options.inbox === undefined ? {} : { inbox: options.inbox }),
    ...(options.inboxPollMs === undefined ? {} : { inboxPollMs: options.inboxPollMs }),
    ...(options.rebaseMinBytes === undefined ? {} : { rebaseMinBytes: options.rebaseMinBytes }),
    ...(options.notify === undefined ? {} : { notify: options.notify }),
    ...(options.notifyMarks === undefined ? {} : { notifyMarks: options.notifyMarks }),
  };

  const tamperNow = async (runId: string) => {
    const { doc, log } = await records.load(runId);
    return records.tamperOf(runId, doc, log.raw);
  };

  return {
    /** Create a run from an approved packet: writes the record and the initial snapshot (nothing runs yet). */
    async createRun(args: { runId: string; record: unknown; input: RunInput }): Promise<void> {
      await store.createRun(args.runId, args.record);
      const actor = createActor(runMachine, { input: args.input });
      const doc: SnapshotDoc = { schema: SNAPSHOT_SCHEMA_ID, version: SNAPSHOT_VERSION, runId: args.runId, seq: 0, snapshot: actor.getPersistedSnapshot() };
      await store.writeSnapshot(args.runId, doc);
      await store.indexRun(args.runId, runIndexFields(doc, null, new Date(deps.clock.now()).toISOString()));
    },

    /** Drive until final, blocked or paused (or one step with `{ step: true }`). A queued run is started. */
    async drive(runId: string, opts: DriveOptions = {}): Promise<DriveResult> {
      return runSession(deps, {
        runId,
        send: [],
        until: (snap, appended) => isStopped(snap) || (opts.step === true && appended > 0),
        startWhenQueued: true,
        inert: false,
        ...(opts.signal === undefined ? {} : { stop: opts.signal }),
      });
    },

    /**
     * Apply an operator event (PAUSE, RESUME, CANCEL, UNBLOCK, DECIDE) and persist it; the run is not driven further.
     * When another process drives the run, the command is queued in the inbox for that driver instead.
     */
    async command(runId: string, event: OperatorEvent): Promise<DriveResult | QueuedCommand> {
      // Records changed outside buran take no decision (whatever the stage): refused, naming the file.
      // Looked at twice, 150 ms apart, as inspect does: a driver that just opened the run may reseal at its next flush.
      let tampered = await tamperNow(runId);
      if (tampered !== null) tampered = await new Promise((resolve) => setTimeout(resolve, 150)).then(() => tamperNow(runId));
      const doc = await records.loadDoc(runId);
      if (tampered !== null) throw new BuranError({ code: tampered.code, message: tampered.message, details: { runId, ...tampered.details }, nextSafeAction: tampered.nextSafeAction });
      const effects = await options.effectsFor(runId, { current: () => null });
      const machine = bindEffects(effects, { inert: true, onHook: () => undefined });
      const probe = machine.resolveState(doc.snapshot as never);
      // A cancel repeated on a cancelled run asks again what its cancel did not confirm (the queue's cancel of its attempts).
      const retry = event.type === 'CANCEL' && !probe.can(event) && stageOf(probe.value) === 'cancelled' ? retriableHooks((await records.loadLog(runId, false)).events) : [];
      if (retry.length > 0) {
        return runSession(deps, { runId, send: [], until: (_snap, appended) => appended > 0, startWhenQueued: false, inert: true, retryHooks: { hooks: retry, by: event.by, reason: event.reason } });
      }
      if (!probe.can(event)) {
        const stage = stageOf(probe.value);
        throw new BuranError({
          code: 'invalid_input',
          message:
            event.type === 'DECIDE'
              ? decideRefusal(runId, stage, probe.context, event.gate, event.by)
              : `run ${runId} is ${stage}: ${event.type}${event.type === 'UNBLOCK' ? ` --decision ${event.decision}` : ''} is not allowed there`,
          details: { runId, stage: stageOf(probe.value), event: event.type, allowedDecisions: probe.context.allowedDecisions },
        });
      }
      try {
        // Commands change state and run final-state hooks only; effects run when the run is driven.
        return await runSession(deps, { runId, send: [event], until: (_snap, appended) => appended > 0, startWhenQueued: false, inert: true });
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
        const { doc, log, lastSeq } = await records.load(runId);
        const snap = restoredView(doc.snapshot);
        const tampered = await records.tamperOf(runId, doc, log.raw);
        // A driver that just opened the run may have rewritten a record it seals at its next flush: look once more.
        if (tampered !== null && tries === 0) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          continue;
        }
        return runViewOf(runId, snap, lastSeq, tampered ?? (await records.movedOf(runId, snap)));
      }
    },

    /** The event log, read without repairing (safe while another process drives). */
    events: async (runId: string) => (await records.loadLog(runId, false)).events,
  };
}

export type Runner = ReturnType<typeof createRunner>;
