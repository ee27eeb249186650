// What a driving session does as it ends (session.ts calls these after it
// settled): find what changed about the stored run while it drove, and notify
// when the run stopped where it waits for a person.
import type { AnyActorRef } from 'xstate';
import type { Blocker } from '../domain/blockers.js';
import type { EventRecord } from '../domain/events.js';
import { moveAlreadyRecorded } from './handoffCheck.js';
import { type NotifyTargetResult, notificationDue } from './notifyDue.js';
import type { Persister } from './persister.js';
import type { Recorder } from './recorder.js';
import { tamperedBlocker } from './runRecords.js';
import { type RunSnapshot, isStopped, runViewOf } from './runView.js';
import { stageOf } from './runStatus.js';
import type { NotifyRequest, SessionDeps } from './session.js';

/**
 * What the engine finds about the stored run when the session ends: a sealed
 * record changed while it drove (evidence_tampered), the base snapshot changed
 * while it drove (written again from the live state, and evidence_tampered), or — for a handed-off run —
 * its branch moved (handoff_moved, noted once per new tip in the log; the state
 * stays readyForReview: a final run takes no more transitions).
 */
export async function endFindings(
  deps: SessionDeps,
  runId: string,
  inert: boolean,
  actor: AnyActorRef,
  before: readonly EventRecord[],
  recorder: Recorder,
  persister: Persister,
  sealFiles: Readonly<Record<string, unknown>>,
  schedule: () => void,
  chain: () => Promise<void>,
): Promise<Blocker | null> {
  const rewritten = await rewriteChangedBase(runId, recorder, persister, schedule, chain);
  const changed = (await deps.records.changedSince(runId, sealFiles)) ?? rewritten;
  if (changed !== null || inert) return changed;
  const snap = actor.getSnapshot() as RunSnapshot;
  const moved = await deps.records.movedOf(runId, snap);
  if (moved !== null && !moveAlreadyRecorded(before, moved)) {
    recorder.add({ runId, type: 'handoff_moved', from: stageOf(snap.value), to: null, data: { branch: moved.details['branch'], recorded: moved.details['recorded'], current: moved.details['current'] } });
    schedule();
    await chain();
  }
  return moved;
}

/**
 * The base snapshot changed under the driver (the lines it wrote go on top of
 * it, so the stored run would no longer read back): the driver writes its live
 * state as a new base, sealed with the records as it sealed them, and says what
 * it found. A record that was changed too still reads as tampered afterwards.
 */
async function rewriteChangedBase(runId: string, recorder: Recorder, persister: Persister, schedule: () => void, chain: () => Promise<void>): Promise<Blocker | null> {
  if (await persister.baseIntact()) return null;
  const reason = 'changed while the run was driven; the driver wrote its own state over it';
  persister.rewriteBase();
  recorder.add({ runId, type: 'state_rewritten', from: null, to: null, data: { file: 'snapshot.json', reason } });
  schedule();
  await chain();
  return tamperedBlocker(runId, 'snapshot.json', reason);
}

/** A run that stopped where it waits for a person says so, once per transition into that state. */
export async function notifyIfDue(
  deps: SessionDeps,
  runId: string,
  actor: AnyActorRef,
  before: readonly EventRecord[],
  persister: Persister,
  recorder: Recorder,
  schedule: () => void,
  chain: () => Promise<void>,
): Promise<void> {
  const snap = actor.getSnapshot() as RunSnapshot;
  if (deps.notify === undefined || !isStopped(snap)) return;
  const due = notificationDue([...before, ...persister.written], stageOf(snap.value));
  if (due === null) return;
  const request: NotifyRequest = { runId, status: due.status, view: runViewOf(runId, snap, recorder.lastSeq), updatedAt: persister.written.at(-1)?.ts ?? before.at(-1)?.ts ?? null };
  const targets = await deps.notify(request).catch((error: unknown): NotifyTargetResult[] => [{ target: 'notify', ok: false, tries: 1, error: error instanceof Error ? error.message : String(error) }]);
  if (targets.length === 0) return;
  recorder.add({ runId, type: targets.every((t) => t.ok) ? 'notified' : 'notify_failed', from: null, to: null, data: { status: due.status, forSeq: due.forSeq, targets } });
  schedule();
  await chain();
}
