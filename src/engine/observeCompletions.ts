// Which COMPLETION_OBSERVED events a restored run's tasks must hear: a
// completion that differs from the one ingested for its attempt, and the
// first sighting of a completion for an attempt the task never ingested and
// has moved on from. Pure; the folder reads are the effects port's.
import type { TaskContext, TaskEvent } from '../../machines/task.types.js';
import type { ObservedAttemptQuery, ObservedCompletion } from './effects.js';

export interface TaskObservation {
  readonly childId: string;
  readonly event: Extract<TaskEvent, { type: 'COMPLETION_OBSERVED' }>;
}

/** The part of a task's context this reads. */
type ObservedContext = Pick<TaskContext, 'taskId' | 'history' | 'ingested'> & { readonly current: { readonly attemptId: string } | null };

type TaskChildren = Readonly<Record<string, { readonly snapshot?: { readonly value?: unknown; readonly context?: ObservedContext } } | undefined>>;

/** Whether the operator already decided after this changed completion was recorded (a grant follows its record). */
function decidedAfter(history: ObservedContext['history'], attemptId: string, digest: string): boolean {
  let recorded = -1;
  history.forEach((e, i) => {
    if (e.kind === 'late_completion' && e.attemptId === attemptId && e.digest === digest) recorded = i;
  });
  return recorded >= 0 && history.slice(recorded + 1).some((e) => e.kind === 'grant');
}

/** Every dispatched attempt of every task child in a persisted run snapshot. */
export function attemptsOf(children: TaskChildren): (ObservedAttemptQuery & { readonly childId: string })[] {
  const out: (ObservedAttemptQuery & { childId: string })[] = [];
  for (const [childId, child] of Object.entries(children)) {
    const context = child?.snapshot?.context;
    if (context === undefined) continue;
    for (const entry of context.history) {
      if (entry.kind === 'dispatched') out.push({ childId, taskId: context.taskId, attemptId: entry.attemptId, epoch: entry.epoch });
    }
  }
  return out;
}

/** The events to send, given what the attempt folders say now. */
export function observationsToSend(children: TaskChildren, seen: readonly ObservedCompletion[]): TaskObservation[] {
  const digestOf = new Map(seen.map((s) => [s.attemptId, s.digest]));
  const out: TaskObservation[] = [];
  for (const { childId, attemptId } of attemptsOf(children)) {
    const context = children[childId]?.snapshot?.context;
    const digest = digestOf.get(attemptId);
    if (context === undefined || digest === undefined) continue;
    const ingested = Object.hasOwn(context.ingested, attemptId) ? context.ingested[attemptId] : undefined;
    if (ingested !== undefined) {
      // Unchanged: nothing to say. Changed: said until an operator decided after it was recorded. A
      // working task blocks with completion_conflict at once; a held one (its run paused, blocked or
      // re-taking its scope) records it and blocks when it is released, so it is said to it once.
      const held = children[childId]?.snapshot?.value === 'held';
      const heardWhileHeld = held && context.history.some((e) => e.kind === 'late_completion' && e.attemptId === attemptId && e.digest === digest);
      if (digest !== ingested && !heardWhileHeld && !decidedAfter(context.history, attemptId, digest)) {
        out.push({ childId, event: { type: 'COMPLETION_OBSERVED', attemptId, digest } });
      }
      continue;
    }
    // The current attempt's completion is the awaiting actor's to ingest.
    if (context.current?.attemptId === attemptId) continue;
    const known = context.history.some((e) => e.kind === 'late_completion' && e.attemptId === attemptId && e.digest === digest);
    if (!known) out.push({ childId, event: { type: 'COMPLETION_OBSERVED', attemptId, digest } });
  }
  return out;
}
