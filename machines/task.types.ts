// Types of the task chart: its input, context, events and the outputs its
// effect actors must return. Type-only: machines stay pure configuration.
import type { Blocker, OperatorDecision } from '../src/domain/blockers.js';
import type { Finding, GateRecord, GateResult } from '../src/domain/gates.js';
import type { Limits } from '../src/domain/limits.js';
import type { SetupRecord } from '../src/domain/setup.js';
import type { Usage } from '../src/domain/usage.js';

export type TaskLimits = Pick<Limits, 'maxAttempts' | 'maxFixRounds' | 'taskTimeoutSec' | 'heartbeatTimeoutSec'>;

export interface TaskInput {
  readonly runId: string;
  readonly taskId: string;
  readonly limits: TaskLimits;
}

/** Where a RETRY of a blocked task resumes. */
export type ResumeStage = 'attempt' | 'dispatch' | 'await' | 'commit' | 'verify' | 'review' | 'merge' | 'fix';

/** The attempt in flight. Deadlines are epoch milliseconds from the injected clock. */
export interface CurrentAttempt {
  readonly attemptId: string;
  /** 1-based number of this task's attempt, across epochs. */
  readonly number: number;
  readonly epoch: number;
  readonly startedAt: number | null;
  readonly deadlineAt: number | null;
}

export type AttemptOutcomeKind = 'completed' | 'failed' | 'blocked' | 'invalid' | 'missing' | 'timeout' | 'violation' | 'setup_failed';

/** Append-only history of one task. */
export type TaskHistoryEntry =
  | { readonly kind: 'dispatched'; readonly attemptId: string; readonly number: number; readonly epoch: number }
  | { readonly kind: 'started'; readonly attemptId: string; readonly startedAt: number; readonly deadlineAt: number }
  /** `usage`: what the attempt reported (null: unknown or nothing to report; absent in runs recorded before it was kept). */
  | { readonly kind: 'outcome'; readonly attemptId: string; readonly outcome: AttemptOutcomeKind; readonly summary: string; readonly usage?: Usage | null }
  | { readonly kind: 'gate'; readonly gate: 'verification' | 'review'; readonly epoch: number; readonly status: GateResult['status'] }
  | { readonly kind: 'merged'; readonly epoch: number; readonly commit: string }
  | { readonly kind: 'conflict'; readonly epoch: number; readonly files: readonly string[] }
  | { readonly kind: 'fix'; readonly epoch: number; readonly reason: 'gate' | 'conflict' | 'integration' }
  | { readonly kind: 'late_completion'; readonly attemptId: string; readonly digest: string }
  /** The packet's setup commands in the task's worktree before a dispatch (`reused`: already done for this epoch). */
  | { readonly kind: 'setup'; readonly attemptId: string; readonly epoch: number; readonly setup: SetupRecord }
  /** An operator RETRY: a new attempt, a fix round, or resuming the stage that blocked. */
  | { readonly kind: 'grant'; readonly what: 'retry' | 'fix' | 'resume' };

export interface TaskContext {
  readonly runId: string;
  readonly taskId: string;
  readonly limits: TaskLimits;
  /** Current epoch of this task: 1 for the first implementation, +1 per fix round. */
  readonly epoch: number;
  readonly attemptCount: number;
  readonly attemptsInEpoch: number;
  /** Extra attempts granted by operator retries in this epoch. */
  readonly retryGrants: number;
  /** Fix rounds this task started itself (bounded by maxFixRounds + fixGrants). */
  readonly fixRounds: number;
  readonly fixGrants: number;
  /** Fix rounds the run asked for after integration gates failed (bounded by the run). */
  readonly integrationFixes: number;
  readonly current: CurrentAttempt | null;
  readonly history: readonly TaskHistoryEntry[];
  readonly gates: readonly GateRecord[];
  /** attemptId → digest of the completion ingested for it (ingested once). */
  readonly ingested: Readonly<Record<string, string>>;
  /** Findings that feed the next attempt's prompt. */
  readonly findings: readonly Finding[];
  readonly lastFailure: 'gate' | 'conflict' | null;
  readonly usage: Usage;
  readonly blocker: Blocker | null;
  readonly allowedDecisions: readonly OperatorDecision[];
  readonly resumeAt: ResumeStage | null;
}

/** Output of the `dispatchWorker` actor. It must be idempotent per attemptId (re-attach, never re-spawn). */
export type DispatchOutcome =
  | { readonly status: 'started'; readonly startedAt: number; readonly pid: number | null; readonly setup?: SetupRecord }
  /** A setup command failed or timed out in the task's worktree; no worker was started. */
  | { readonly status: 'setup_failed'; readonly message: string; readonly details: Record<string, unknown>; readonly setup: SetupRecord }
  | { readonly status: 'unavailable'; readonly message: string; readonly details: Record<string, unknown> }
  /** The task's workspace could not take the run branch's changes (a fix round after a merge conflict); nothing was spawned. */
  | { readonly status: 'conflict'; readonly message: string; readonly details: Record<string, unknown> };

/** How a worker's attempt ended, as the worker layer and its adapters derive it (setup is never the worker's). */
export type WorkerEnd =
  | {
      readonly kind: 'completion';
      readonly status: 'completed' | 'failed' | 'blocked';
      readonly digest: string;
      readonly summary: string;
      readonly changedFiles: readonly string[];
      readonly usage: Usage | null;
    }
  | { readonly kind: 'invalid'; readonly digest: string | null; readonly problems: readonly string[]; readonly usage: Usage | null }
  | { readonly kind: 'missing'; readonly reason: string }
  | { readonly kind: 'timeout'; readonly reason: 'wall' | 'heartbeat' }
  /**
   * The attempt changed what the runner trusts outside the worktree (the
   * repository's git configuration, info/ or hooks/): put back, and a policy
   * violation whatever the worker reported.
   */
  | { readonly kind: 'violation'; readonly reason: string; readonly files: readonly string[] };

/** Output of the `awaitCompletion` actor for one attempt. */
export type WorkerOutcome = (
  | WorkerEnd
  /**
   * Attempts on worker agents only: a setup command failed in the attempt's
   * worktree on the agent, so no worker ran (a local attempt's setup fails at
   * dispatch instead). `reason` and `details` are what a failed local setup's
   * blocker says.
   */
  | { readonly kind: 'setup_failed'; readonly reason: string; readonly details: Record<string, unknown>; readonly setup: SetupRecord }
) & {
  /** Attempts on worker agents: the packet's setup as it ran in the attempt's worktree there (a local attempt's is the dispatch's). */
  readonly setup?: SetupRecord;
};

/**
 * Output of the `commitAttempt` actor: what the attempt changed in its
 * worktree, as one commit (git's changed files, never the worker's claim), or
 * nothing changed. Idempotent per attempt: asked again, it finds its commit.
 */
export type AttemptCommitOutcome =
  | { readonly status: 'committed'; readonly commit: string; readonly changedFiles: readonly string[] }
  | { readonly status: 'unchanged' };

/** Output of the `mergeTask` actor. */
export type MergeOutcome =
  | { readonly status: 'merged'; readonly commit: string }
  | { readonly status: 'conflict'; readonly files: readonly string[]; readonly message: string };

export interface DispatchInput {
  readonly runId: string;
  readonly taskId: string;
  readonly attempt: CurrentAttempt;
  readonly findings: readonly Finding[];
}
export interface AwaitInput {
  readonly runId: string;
  readonly taskId: string;
  readonly attempt: CurrentAttempt;
  readonly heartbeatTimeoutSec: number;
}
export interface CommitInput {
  readonly runId: string;
  readonly taskId: string;
  readonly attempt: CurrentAttempt;
  /** The attempt's summary as ingested (redacted): the commit message's first line. */
  readonly summary: string;
}
export interface TaskGateInput {
  readonly runId: string;
  readonly taskId: string;
  readonly epoch: number;
  readonly attemptId: string;
  /** Operator RETRY grants so far: a restored run asks again with the same count, a retry with a higher one. */
  readonly grants: number;
}

/** Events the task chart accepts (from its parent run, or the engine). */
export type TaskEvent =
  | { readonly type: 'DISPATCH_GRANTED' }
  | { readonly type: 'HOLD' }
  | { readonly type: 'RELEASE' }
  | { readonly type: 'RETRY' }
  | { readonly type: 'FIX'; readonly findings: readonly Finding[] }
  | { readonly type: 'COMPLETION_OBSERVED'; readonly attemptId: string; readonly digest: string }
  | { readonly type: 'STOP' };

/** Events a task sends to its parent run. */
export type TaskToRunEvent =
  | { readonly type: 'DISPATCH_REQUEST'; readonly taskId: string }
  | { readonly type: 'TASK_USAGE'; readonly taskId: string; readonly attemptId: string; readonly usage: Usage | null }
  | { readonly type: 'TASK_PASSED'; readonly taskId: string; readonly epoch: number; readonly gates: readonly GateRecord[] }
  /** A step of this task found the run's workspace lease gone: the run blocks `lease_lost`; the task waits held. */
  | { readonly type: 'LEASE_LOST'; readonly message: string }
  | {
      readonly type: 'TASK_BLOCKED';
      readonly taskId: string;
      readonly blocker: Blocker;
      readonly allowedDecisions: readonly OperatorDecision[];
    };

/** Params of the provided `block` action. */
export interface BlockParams {
  readonly code: Blocker['code'];
  readonly resume?: ResumeStage;
}
