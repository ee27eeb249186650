// Pure: replay a run's event log into one frame per event: the run's state,
// each task's state, the blocker and the next safe action right after that
// event. This is what the inspector's timeline steps through.
import { type Blocker, BlockerSchema, type NextSafeAction } from '../domain/blockers.js';
import type { EventRecord } from '../domain/events.js';
import { type RunStatus, nextSafeActionOf, statusOf } from '../engine/runStatus.js';
import { type ChartGraph, matchEdge } from './chartGraph.js';

/** The state of a task that has no recorded transition yet (not spawned). */
export const NOT_STARTED = 'pending';

export interface TaskFrame {
  /** Task chart state path (`working.awaiting`), or `pending` before its first transition. */
  readonly state: string;
  readonly attemptId: string | null;
  readonly epoch: number | null;
}

export interface Frame {
  readonly seq: number;
  /** The run chart state path after this event. */
  readonly run: string;
  readonly status: RunStatus;
  /** The run's epoch as last recorded; null before any run transition carried one. */
  readonly epoch: number | null;
  /** One entry per task, in the order of `taskIds`. */
  readonly tasks: readonly TaskFrame[];
  /** The run's blocker while the run is blocked (from the event that blocked it), else null. */
  readonly blocker: Blocker | null;
  readonly nextSafeAction: NextSafeAction;
  /** Index into `taskIds` of the task this event is about; null for run events. */
  readonly task: number | null;
  /** The run chart edge this event took, if it is a drawn transition. */
  readonly runEdge: string | null;
  /** The task chart edge this event took (for `task`), if it is a drawn transition. */
  readonly taskEdge: string | null;
}

export interface ReplayInput {
  readonly runId: string;
  readonly events: readonly EventRecord[];
  readonly taskIds: readonly string[];
  /** The run's state when the log has no run transition at all (e.g. a freshly approved run). */
  readonly initialRunState: string;
  readonly runChart: ChartGraph;
  readonly taskChart: ChartGraph;
  /** The run's lease and handoff (from its snapshot), so a handed-off frame names how to see the change as `status` does. */
  readonly lease?: { readonly branch: string; readonly baseCommit: string } | null;
  readonly handoff?: { readonly branch: string } | null;
}

function blockerOf(event: EventRecord): Blocker | null {
  const parsed = BlockerSchema.safeParse(event.data['blocker']);
  return parsed.success ? parsed.data : null;
}

const eventName = (event: EventRecord): string => (typeof event.data['event'] === 'string' ? event.data['event'] : '');

/**
 * Frames for every event, in log order: `frames[i]` is the state after
 * `events[i]`. Run events are `transition`; task events are `task_transition`
 * with a `taskId`; any other event (operator, lock takeover, torn log, ...)
 * leaves the states as they were.
 */
export function replayEvents(input: ReplayInput): Frame[] {
  const { events, taskIds } = input;
  const firstRun = events.find((e) => e.type === 'transition' && e.from !== null && e.from !== '');
  let run = firstRun?.from ?? input.initialRunState;
  let epoch: number | null = null;
  let blocker: Blocker | null = null;
  const tasks: TaskFrame[] = taskIds.map(() => ({ state: NOT_STARTED, attemptId: null, epoch: null }));
  const frames: Frame[] = [];
  for (const event of events) {
    let task: number | null = null;
    let runEdge: string | null = null;
    let taskEdge: string | null = null;
    if (event.type === 'transition' && event.to !== null && event.taskId === undefined) {
      const from = event.from ?? run;
      run = event.to;
      if (event.epoch !== undefined) epoch = event.epoch;
      blocker = run === 'blocked' ? (from === 'blocked' ? blocker : blockerOf(event)) ?? blocker : null;
      runEdge = from === '' ? null : matchEdge(input.runChart, from, run, eventName(event));
    } else if (event.type === 'task_transition' && event.taskId !== undefined && event.to !== null) {
      const index = taskIds.indexOf(event.taskId);
      if (index >= 0) {
        task = index;
        const before = tasks[index];
        const from = event.from ?? before?.state ?? '';
        tasks[index] = { state: event.to, attemptId: event.attemptId ?? before?.attemptId ?? null, epoch: event.epoch ?? before?.epoch ?? null };
        taskEdge = from === '' || from === NOT_STARTED ? null : matchEdge(input.taskChart, from, event.to, eventName(event));
      }
    }
    frames.push({
      seq: event.seq,
      run,
      status: statusOf({ value: run, context: { blocker } }),
      epoch,
      tasks: tasks.slice(),
      blocker,
      nextSafeAction: nextSafeActionOf({ value: run, context: { blocker, lease: input.lease ?? null, handoff: input.handoff ?? null } }, input.runId),
      task,
      runEdge,
      taskEdge,
    });
  }
  return frames;
}
