// Turns the actors' microsteps into event records, assigns seq, and drops
// re-recorded events after a crash: events appended after the last snapshot
// (the "tail") describe transitions the restored actor will take again; the
// first matching re-occurrences are not appended a second time. Parallel
// tasks may re-take their transitions in another interleaving than the one
// logged, so the tail is matched per stream (a task, or the run's events
// about one task, or the run's own), each stream in its logged order.
import type { EventRecord } from '../domain/events.js';
import { stageOf } from './runStatus.js';

export type EventDraft = Omit<EventRecord, 'seq' | 'ts'>;

/** Identity of a recorded transition for de-duplication (time and seq excluded). */
const identity = (e: EventDraft | EventRecord): string =>
  JSON.stringify([e.type, e.from, e.to, e.taskId ?? null, e.attemptId ?? null, e.epoch ?? null]);

/** The stream whose order is deterministic: a task's transitions, the run's transitions about one task, or the run's own. */
const streamOf = (e: EventDraft | EventRecord): string =>
  e.taskId ?? (typeof e.data['taskId'] === 'string' ? `run/${e.data['taskId']}` : 'run');

const isTransition = (e: EventDraft | EventRecord): boolean => e.type === 'transition' || e.type === 'task_transition';

export class Recorder {
  private seq: number;
  private tail: { readonly id: string; readonly stream: string }[];
  private readonly pending: EventDraft[] = [];

  constructor(lastSeq: number, tail: readonly EventRecord[]) {
    this.seq = lastSeq;
    // Only transitions are re-taken after a restore; notes (lock takeover, torn log) are not.
    this.tail = tail.filter(isTransition).map((e) => ({ id: identity(e), stream: streamOf(e) }));
  }

  get lastSeq(): number {
    return this.seq;
  }

  /**
   * True while logged transitions are still to be re-taken. Until then the
   * snapshot the run was restored from stays the resume point: a snapshot
   * written now would hide the rest of the tail from the next restore.
   */
  get replaying(): boolean {
    return this.tail.length > 0;
  }

  /** The run stopped (final, blocked, paused): logged transitions not re-taken by now never will be. */
  endReplay(): void {
    this.tail = [];
  }

  add(draft: EventDraft): void {
    this.pending.push(draft);
  }

  /** Take the pending drafts as records (dropping re-recorded tail events). */
  drain(now: number): EventRecord[] {
    const out: EventRecord[] = [];
    for (const draft of this.pending.splice(0)) {
      if (isTransition(draft) && this.tail.length > 0) {
        const stream = streamOf(draft);
        const next = this.tail.findIndex((t) => t.stream === stream);
        if (next >= 0 && this.tail[next]?.id === identity(draft)) {
          this.tail.splice(next, 1);
          continue;
        }
        // This stream diverged from the log: its remaining logged transitions will not be re-taken.
        if (next >= 0) this.tail = this.tail.filter((t) => t.stream !== stream);
      }
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
  for (const key of ['by', 'reason', 'decision', 'taskId', 'message', 'gate', 'verdict'] as const) {
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
    // The packet's setup in a worktree: each command's exit code, duration and evidence hash (tails are in the evidence).
    if (typeof o['setup'] === 'object' && o['setup'] !== null) data['setup'] = o['setup'];
    // Approval gates: the ones the run now waits for, and the ones skipped because their when.paths matched no changed file.
    if (Array.isArray(o['pending']) && Array.isArray(o['skipped'])) {
      data['approvalsPending'] = (o['pending'] as { name?: unknown }[]).map((p) => p.name);
      data['approvalsSkipped'] = o['skipped'];
    }
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
