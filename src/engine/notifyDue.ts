// Pure: whether a run that stopped must notify now. A run notifies once per
// transition into blocked, paused, awaitingApproval (status waiting: an approval gate waits for a person) or readyForReview: the transition's seq is
// the key, and a `notified` / `notify_failed` event naming it means done, so
// re-reading or re-driving a run already in that state sends nothing.
import type { NotifyStatus } from '../domain/config.js';
import type { EventRecord } from '../domain/events.js';

/** The notes the runner records about a notification (data: { status, forSeq, targets }). */
export const NOTIFY_EVENT_TYPES = ['notified', 'notify_failed'] as const;

const STATUS_OF_STAGE: Readonly<Record<string, NotifyStatus>> = { blocked: 'blocked', paused: 'paused', readyForReview: 'handoff_ready', 'active.awaitingApproval': 'waiting' };

/** The outcome of notifying one target (a command, a webhook). */
export interface NotifyTargetResult {
  /** Names the target without its secrets, e.g. `command: notify-send`, `webhook: https://hooks.example.com`. */
  readonly target: string;
  readonly ok: boolean;
  readonly tries: number;
  /** Why the last try failed; null when delivered. */
  readonly error: string | null;
}

export interface NotificationDue {
  readonly status: NotifyStatus;
  /** The seq of the run transition into the state. */
  readonly forSeq: number;
}

/** The notification a run at `stage` with these events still owes, or null. */
export function notificationDue(events: readonly EventRecord[], stage: string): NotificationDue | null {
  const status = STATUS_OF_STAGE[stage];
  if (status === undefined) return null;
  let forSeq: number | null = null;
  for (let i = events.length - 1; i >= 0 && forSeq === null; i--) {
    const e = events[i] as EventRecord;
    if (e.taskId === undefined && e.type === 'transition' && e.to === stage && e.from !== stage) forSeq = e.seq;
  }
  if (forSeq === null) return null;
  const sent = events.some((e) => (NOTIFY_EVENT_TYPES as readonly string[]).includes(e.type) && e.data['forSeq'] === forSeq);
  return sent ? null : { status, forSeq };
}
