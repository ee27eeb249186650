// Pure-ish: the `status --json` contract of a run, from its view, its events
// and (for the live attempt) the attempt folder.
import { join } from 'node:path';
import type { Blocker, NextSafeAction } from '../domain/blockers.js';
import type { Usage } from '../domain/usage.js';
import { attemptStatus } from '../worker/attempt.js';
import { attemptAgents } from './queueRecords.js';
import { taskSnapshot } from './report.js';
import type { RunView } from './runner.js';
import type { RunStatus } from './runStatus.js';
import { stageOf } from './runStatus.js';
import type { SandboxRecord } from './sandboxChoice.js';
import { type QuorumReview, quorumReviews } from './reviewViews.js';
import type { SetupView } from './setupView.js';
import type { UnconfirmedHook } from './unconfirmedHooks.js';
import { type ApprovalsView, type DecisionView, approvalsView, decisionsView } from './approvalView.js';

export interface StatusJson {
  readonly runId: string;
  readonly status: RunStatus;
  readonly stage: string;
  readonly epoch: number;
  readonly currentTask: {
    readonly taskId: string;
    readonly state: string;
    readonly attemptId: string | null;
    readonly attempt: number | null;
    readonly epoch: number;
    readonly pid: number | null;
    readonly heartbeatAgeMs: number | null;
  } | null;
  readonly blocker: Blocker | null;
  readonly nextSafeAction: NextSafeAction;
  readonly tasks: readonly { readonly id: string; readonly state: string; readonly attempts: number; readonly epoch: number }[];
  readonly usage: Usage;
  readonly updatedAt: string | null;
  /** The run's recorded sandbox (sandbox.json) without its time; null until a driver has opened the run. */
  readonly sandbox: Omit<SandboxRecord, 'decidedAt'> | null;
  /** The process driving the run now (it holds the run lock), or null. `since`: ISO-8601, '' when unknown. */
  readonly driver: { readonly pid: number; readonly host: string; readonly since: string } | null;
  /** The latest review of each task and of the integration that asked several reviewers: every reviewer's verdict. */
  readonly reviews: readonly QuorumReview[];
  /** The packet's setup as it ran (src/engine/setupView.ts gathers it from the log and the gates' evidence). */
  readonly setup: readonly SetupView[];
  /** The approval gates at the current epoch and the one waited for now (src/engine/approvalView.ts). */
  readonly approvals: ApprovalsView | null;
  readonly decisions: readonly DecisionView[];
  /** Final-state hooks that failed since the run entered its current state (src/engine/unconfirmedHooks.ts). */
  readonly unconfirmed: readonly UnconfirmedHook[];
  /** Attempt id → the worker agent (`buran worker --name`) that ran it, for attempts sent to a queue; empty otherwise. */
  readonly agents: Readonly<Record<string, string>>;
}

/** The holder of a run lock, as statusJson reads it. */
export interface DriverInfo {
  readonly pid: number;
  readonly host: string;
  readonly acquiredAt: string;
}

/** What a run that another process drives needs next: to be watched, not driven again. */
export function watchAction(runId: string, driver: DriverInfo): NextSafeAction {
  return {
    text: `The run is driven by pid ${driver.pid}${driver.host === '' ? '' : ` on ${driver.host}`}${driver.acquiredAt === '' ? '' : ` since ${driver.acquiredAt}`}; follow it, or pause or cancel it from here.`,
    command: `buran events --run ${runId} --follow`,
  };
}

const childOf = (view: RunView, taskId: string) => taskSnapshot((view.snapshot.children as Readonly<Record<string, unknown>>)[`task:${taskId}`]);

/** The latest quorum review of each task and of the integration (see reviewViews.ts). */
export const reviewsOf = (view: RunView): QuorumReview[] => quorumReviews(view.snapshot.context, (id) => childOf(view, id)?.context.gates ?? []);

/** A run that ended (cancelled, failed) with nothing more to do, except what a hook did not confirm: that hook's next safe action. */
function endedNotConfirmed(status: RunStatus, unconfirmed: readonly UnconfirmedHook[]): NextSafeAction | null {
  if (status !== 'cancelled' && status !== 'failed') return null;
  return unconfirmed.find((u) => u.nextSafeAction !== null)?.nextSafeAction ?? null;
}

export function statusJson(
  view: RunView,
  updatedAt: string | null,
  runDir: string | null,
  now: () => number = Date.now,
  sandbox: SandboxRecord | null = null,
  driver: DriverInfo | null = null,
  setup: readonly SetupView[] = [],
  unconfirmed: readonly UnconfirmedHook[] = [],
): StatusJson {
  const c = view.snapshot.context;
  const tasks = c.tasks.map((t, i) => {
    const child = childOf(view, t.id);
    return {
      id: t.id,
      state: child === null ? (c.progress[i] ?? 'pending') : stageOf(child.value),
      attempts: child?.context.attemptCount ?? 0,
      epoch: child?.context.epoch ?? 0,
    };
  });
  let currentTask: StatusJson['currentTask'] = null;
  for (const t of c.tasks) {
    const child = childOf(view, t.id);
    if (child === null) continue;
    const state = stageOf(child.value);
    if (!['working.dispatching', 'working.awaiting', 'working.committing', 'working.verifying', 'working.reviewing', 'working.merging', 'held', 'blocked'].includes(state)) continue;
    const current = child.context.current;
    const live = current !== null && runDir !== null ? attemptStatus(join(runDir, 'attempts', current.attemptId), now) : null;
    currentTask = {
      taskId: t.id,
      state,
      attemptId: current?.attemptId ?? null,
      attempt: current?.number ?? null,
      epoch: child.context.epoch,
      pid: live?.state === 'running' ? live.pid : null,
      heartbeatAgeMs: live?.state === 'running' ? live.heartbeatAgeMs : null,
    };
    if (state !== 'held' && state !== 'blocked') break;
  }
  return {
    runId: view.runId,
    status: view.status,
    stage: view.stage,
    epoch: c.epoch,
    currentTask,
    blocker: view.blocker,
    nextSafeAction: driver !== null && (view.status === 'queued' || view.status === 'running') ? watchAction(view.runId, driver) : (endedNotConfirmed(view.status, unconfirmed) ?? view.nextSafeAction),
    tasks,
    usage: c.usage,
    updatedAt,
    sandbox: sandbox === null ? null : { mode: sandbox.mode, kind: sandbox.kind, network: sandbox.network, note: sandbox.note },
    driver: driver === null ? null : { pid: driver.pid, host: driver.host, since: driver.acquiredAt },
    reviews: reviewsOf(view),
    setup,
    approvals: approvalsView(c, view.stage),
    decisions: decisionsView(c.decisions),
    unconfirmed,
    agents: runDir === null ? {} : attemptAgents(runDir),
  };
}
