// What a caller sees of a run: its status, stage, blocker and next safe action,
// derived from a (restored) run snapshot, plus the engine's own findings about
// the stored run (a tampered record, a moved handoff branch). Also the small
// actor helpers every session needs: restore for reading, stop with children.
import { createActor, type AnyActorRef, type SnapshotFrom } from 'xstate';
import type { RunInput } from '../../machines/run.types.js';
import type { Blocker, NextSafeAction } from '../domain/blockers.js';
import { runMachine } from '../machines/index.js';
import { type RunStatus, nextSafeActionOf, stageOf, statusOf } from './runStatus.js';

export type RunSnapshot = SnapshotFrom<typeof runMachine>;

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
  readonly snapshot: RunSnapshot;
}

export interface DriveResult extends RunView {
  /** Events appended during this drive. */
  readonly appended: number;
  /** The previous holder when a dead driver's lock was taken over. */
  readonly takeover: Record<string, unknown> | null;
  /** Final-state hooks that failed during this drive (each also a `hook_failed` event): e.g. a cancel of queued attempts Redis did not confirm. */
  readonly hookFailures: readonly HookFailure[];
  /** Hooks asked again in this drive (a cancel repeated on a cancelled run) that succeeded (each also a `hook_confirmed` event). */
  readonly hooksConfirmed: readonly string[];
}

/** A final-state hook (release the lease or scope, cancel the workers) that failed: what it did is not confirmed. */
export interface HookFailure {
  readonly hook: string;
  /** The BuranError code, or null for another error. */
  readonly code: string | null;
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly nextSafeAction: NextSafeAction | null;
}

/**
 * The view of a run snapshot. `over` is the engine's finding about the stored
 * run (evidence_tampered or handoff_moved): reported, never repaired, so the
 * stored state stays as it is and the view reads blocked with it.
 */
export function runViewOf(runId: string, snap: RunSnapshot, lastSeq: number, over: Blocker | null = null): RunView {
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

/** The input a persisted run was created with (ignored on restore, which takes the context; needed for the types). */
export function inputOf(persisted: Record<string, unknown>): RunInput {
  const ctx = (persisted as { context: RunInput }).context;
  return { runId: ctx.runId, approvedHash: ctx.approvedHash, tasks: ctx.tasks, limits: ctx.limits, deadlineAt: ctx.deadlineAt ?? null };
}

/** The run snapshot with its task children restored as (unstarted) actors, for reading only. */
export function restoredView(persisted: Record<string, unknown>): RunSnapshot {
  return createActor(runMachine, { snapshot: persisted as never, input: inputOf(persisted) }).getSnapshot();
}

/** A run that stopped where it waits: final, blocked, paused, or waiting for a prerequisite run. */
export function isStopped(snap: RunSnapshot): boolean {
  const status = statusOf(snap);
  return snap.status !== 'active' || status === 'blocked' || status === 'paused' || status === 'waiting';
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
