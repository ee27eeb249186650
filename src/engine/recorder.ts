// Turns the actors' microsteps into event records, assigns seq, and drops
// re-recorded events after a crash: events appended after the last snapshot
// (the "tail") describe transitions the restored actor will take again; the
// first matching re-occurrences are not appended a second time.
import type { EventRecord } from '../domain/events.js';
import { stageOf } from './runStatus.js';

export type EventDraft = Omit<EventRecord, 'seq' | 'ts'>;

/** Identity of a recorded transition for de-duplication (time and seq excluded). */
const identity = (e: EventDraft | EventRecord): string =>
  JSON.stringify([e.type, e.from, e.to, e.taskId ?? null, e.attemptId ?? null, e.epoch ?? null]);

export class Recorder {
  private seq: number;
  private readonly tail: string[];
  private readonly pending: EventDraft[] = [];

  constructor(lastSeq: number, tail: readonly EventRecord[]) {
    this.seq = lastSeq;
    this.tail = tail.filter((e) => e.type === 'transition' || e.type === 'task_transition').map(identity);
  }

  get lastSeq(): number {
    return this.seq;
  }

  add(draft: EventDraft): void {
    this.pending.push(draft);
  }

  /** Take the pending drafts as records (dropping re-recorded tail events). */
  drain(now: number): EventRecord[] {
    const out: EventRecord[] = [];
    for (const draft of this.pending.splice(0)) {
      // Only transitions are re-taken after a restore; a lock takeover or torn-log note recorded
      // first must neither match the tail nor end it.
      const transition = draft.type === 'transition' || draft.type === 'task_transition';
      if (transition && this.tail.length > 0 && this.tail[0] === identity(draft)) {
        this.tail.shift();
        continue;
      }
      if (transition) this.tail.length = 0; // diverged from the tail: from here on everything is new
      this.seq += 1;
      out.push({ ...draft, seq: this.seq, ts: new Date(now).toISOString() });
    }
    return out;
  }
}

interface MicrostepLike {
  readonly event: { readonly type: string } & Record<string, unknown>;
  readonly value: unknown;
  readonly context: Record<string, unknown>;
}

/** Small, JSON-safe facts about an event worth keeping in the log. */
function eventData(event: MicrostepLike['event'], context: Record<string, unknown>, to: string): Record<string, unknown> {
  const data: Record<string, unknown> = { event: event.type };
  for (const key of ['by', 'reason', 'decision', 'taskId', 'message'] as const) {
    if (typeof event[key] === 'string') data[key] = event[key];
  }
  const output = event['output'];
  if (typeof output === 'object' && output !== null) {
    const o = output as Record<string, unknown>;
    for (const key of ['status', 'kind', 'summary', 'reason', 'gate', 'commit'] as const) {
      if (typeof o[key] === 'string') data[key] = o[key];
    }
    // Stale scope locks of finished runs dropped while leasing: recorded, never silent.
    if (Array.isArray(o['recovered'])) data['recoveredScopeLocks'] = o['recovered'];
  }
  if (to === 'blocked' && context['blocker'] !== null && context['blocker'] !== undefined) data['blocker'] = context['blocker'];
  return data;
}

/** The event draft for one microstep of the run (taskId null) or of a task child. */
export function draftFor(runId: string, taskId: string | null, before: unknown, step: MicrostepLike): EventDraft {
  const from = stageOf(before);
  const to = stageOf(step.value);
  const draft: EventDraft = {
    runId,
    type: taskId === null ? 'transition' : 'task_transition',
    from,
    to,
    data: eventData(step.event, step.context, to),
  };
  if (taskId !== null) {
    draft.taskId = taskId;
    const current = step.context['current'] as { attemptId?: string } | null | undefined;
    if (typeof current?.attemptId === 'string') draft.attemptId = current.attemptId;
    if (typeof step.context['epoch'] === 'number') draft.epoch = step.context['epoch'];
  } else if (typeof step.context['epoch'] === 'number') {
    draft.epoch = step.context['epoch'];
  }
  return draft;
}
