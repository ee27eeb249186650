// Pure: what the live view knows about a run, folded from its events (the
// log read when the driver starts, then every event as it is appended), and
// the view model drawn from it at a given time.
import type { EventRecord } from '../domain/events.js';
import type { LiveTask, LiveViewModel } from './liveView.js';

export interface LiveTaskState {
  /** The task chart state as a dotted path, e.g. `working.awaiting`. */
  readonly stage: string;
  /** Epoch ms the task entered `stage`. */
  readonly since: number;
  readonly epoch: number;
  readonly attemptId: string | null;
  /** The blocker code when `stage` is `blocked`. */
  readonly blockerCode: string | null;
}

export interface LiveRunState {
  readonly runId: string;
  /** Task ids in packet order. */
  readonly taskIds: readonly string[];
  /** Epoch ms of the run's first event; null before it has one. */
  readonly startedAt: number | null;
  readonly runStage: string | null;
  readonly tasks: Readonly<Record<string, LiveTaskState>>;
}

/** What the worker of an attempt shows right now (read from its attempt folder). */
export interface AttemptActivity {
  readonly pid: number | null;
  readonly heartbeatAgeMs: number | null;
  readonly lastLine: string | null;
}

export function initialLiveState(runId: string, taskIds: readonly string[]): LiveRunState {
  return { runId, taskIds, startedAt: null, runStage: null, tasks: {} };
}

export function foldEvents(state: LiveRunState, events: readonly EventRecord[]): LiveRunState {
  return events.reduce(foldEvent, state);
}

export function foldEvent(state: LiveRunState, e: EventRecord): LiveRunState {
  const at = Date.parse(e.ts);
  const startedAt = state.startedAt ?? at;
  if (e.taskId === undefined) return e.to === null ? { ...state, startedAt } : { ...state, startedAt, runStage: e.to };
  if (e.to === null) return { ...state, startedAt };
  const before = state.tasks[e.taskId];
  const blocker = e.data['blocker'] as { code?: unknown } | undefined;
  const next: LiveTaskState = {
    stage: e.to,
    since: before !== undefined && before.stage === e.to ? before.since : at,
    epoch: e.epoch ?? before?.epoch ?? 1,
    attemptId: e.attemptId ?? before?.attemptId ?? null,
    blockerCode: e.to === 'blocked' && typeof blocker?.code === 'string' ? blocker.code : null,
  };
  return { ...state, startedAt, tasks: { ...state.tasks, [e.taskId]: next } };
}

const TASK_WORDS: Readonly<Record<string, string>> = {
  'working.requesting': 'waiting to start',
  'working.dispatching': 'starting the agent',
  'working.awaiting': 'agent working',
  'working.committing': 'committing the attempt',
  'working.verifying': 'verifying',
  'working.reviewing': 'reviewing',
  'working.merging': 'merging',
  'working.fixing': 'starting a fix round',
  held: 'on hold',
  blocked: 'blocked',
};

const RUN_WORDS: Readonly<Record<string, string>> = {
  'active.intake': 'starting',
  'active.queued': 'starting',
  'active.prerequisites': 'checking the prerequisite run',
  'active.waiting': 'waiting for the prerequisite run',
  'active.approvals': 'checking approval gates',
  'active.awaitingApproval': 'waiting for an approval (buran decide)',
  'active.preflight': 'checking the repository',
  'active.leasing': 'taking the workspace',
  'active.verifying': 'verifying the run',
  'active.reviewing': 'reviewing the run',
  'active.fixing': 'starting a fix round',
  'active.handoff': 'handing off',
  paused: 'paused',
  blocked: 'blocked',
  reclaiming: 'taking its scope again',
  readyForReview: 'handoff-ready',
};

/** Whether a task is shown: it started and is not done or stopped. */
export function isActive(task: LiveTaskState | undefined): task is LiveTaskState {
  return task !== undefined && task.stage !== 'working.passed' && task.stage !== 'stopped';
}

/** The tasks that are running (or held / blocked) now, in packet order. */
export function activeTasks(state: LiveRunState): { readonly id: string; readonly task: LiveTaskState }[] {
  return state.taskIds.flatMap((id) => {
    const task = state.tasks[id];
    return isActive(task) ? [{ id, task }] : [];
  });
}

/** The view at `now`; `activity` reads a working attempt's folder (null when there is nothing to read). */
export function liveViewOf(state: LiveRunState, now: number, activity: (attemptId: string) => AttemptActivity | null): LiveViewModel {
  const done = state.taskIds.filter((id) => state.tasks[id]?.stage === 'working.passed').length;
  const tasks: LiveTask[] = activeTasks(state).map(({ id, task }) => {
    const live = task.stage === 'working.awaiting' && task.attemptId !== null ? activity(task.attemptId) : null;
    const words = TASK_WORDS[task.stage] ?? task.stage;
    return {
      id,
      words: task.stage === 'blocked' && task.blockerCode !== null ? `${words}: ${task.blockerCode}` : words,
      forMs: task.stage === 'blocked' || task.stage === 'held' ? null : now - task.since,
      fixRound: Math.max(0, task.epoch - 1),
      tone: task.stage === 'blocked' ? 'bad' : 'normal',
      heartbeatAgeMs: live?.heartbeatAgeMs ?? null,
      lastLine: live?.lastLine ?? null,
    };
  });
  return {
    done,
    total: state.taskIds.length,
    runElapsedMs: state.startedAt === null ? null : now - state.startedAt,
    runWords: state.runStage === null ? null : (RUN_WORDS[state.runStage] ?? null),
    tasks,
  };
}
