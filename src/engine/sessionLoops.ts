// The two timers of a driving session: the run's wall-clock deadline (the
// chart decides, its guard re-checks the time; the driver only reports it) and
// the operator inbox (commands posted by other processes while this one drives).
import type { AnyActorRef } from 'xstate';
import type { RunEvent } from '../../machines/run.types.js';
import type { Clock } from './clock.js';
import type { CommandInbox } from './inbox.js';
import type { Recorder } from './recorder.js';
import type { RunSnapshot } from './runView.js';
import { stageOf } from './runStatus.js';

/** Stops a loop. */
export type StopLoop = () => void;

/** Send RUN_DEADLINE once the run's deadline passed (now, and then every `pollMs` while active). */
export function watchDeadline(o: { readonly actor: AnyActorRef; readonly clock: Clock; readonly pollMs: number; readonly changed: () => void }): StopLoop {
  const deadlineAt = (o.actor.getSnapshot() as RunSnapshot).context.deadlineAt;
  if (deadlineAt === null) return () => undefined;
  const check = () => {
    const now = o.clock.now();
    if (now >= deadlineAt && (o.actor.getSnapshot() as RunSnapshot).status === 'active') {
      o.actor.send({ type: 'RUN_DEADLINE', now } satisfies RunEvent);
      o.changed();
    }
  };
  const timer = setInterval(check, Math.min(1000, o.pollMs));
  if (o.clock.now() >= deadlineAt) o.actor.send({ type: 'RUN_DEADLINE', now: o.clock.now() } satisfies RunEvent);
  return () => clearInterval(timer);
}

/**
 * Take the run's queued operator commands every `pollMs`: each one the chart
 * accepts is sent, each other one is recorded as `command_rejected` with why.
 */
export function pollInbox(o: {
  readonly inbox: CommandInbox;
  readonly runId: string;
  readonly actor: AnyActorRef;
  readonly recorder: Recorder;
  readonly pollMs: number;
  readonly changed: () => void;
  readonly failed: (error: unknown) => void;
}): StopLoop {
  const { runId, recorder } = o;
  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    o.inbox
      .take(runId)
      .then(({ taken, invalid }) => {
        for (const bad of invalid) recorder.add({ runId, type: 'command_rejected', from: null, to: null, data: { commandId: bad.id, reason: bad.reason } });
        for (const { id, event } of taken) {
          const snap = o.actor.getSnapshot() as RunSnapshot;
          if (snap.status === 'active' && snap.can(event)) o.actor.send(event);
          else recorder.add({ runId, type: 'command_rejected', from: stageOf(snap.value), to: null, data: { commandId: id, command: event.type, reason: `not allowed in ${stageOf(snap.value)}` } });
        }
        o.changed();
      })
      .catch(o.failed)
      .finally(() => {
        polling = false;
      });
  }, o.pollMs);
  return () => clearInterval(timer);
}
