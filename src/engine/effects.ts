// The effects port: everything the charts' named actors and effect actions
// need from the outside world. The engine binds these to the charts; a host
// app or a test provides its own (see scriptedEffects.ts for the twin).
import type {
  ApprovalOutcome,
  HandoffOutcome,
  IntakeOutcome,
  LeaseOutcome,
  PreflightOutcome,
  PrerequisiteOutcome,
  RunStepInput,
  ScopeOutcome,
} from '../../machines/run.types.js';
import type { AttemptCommitOutcome, AwaitInput, CommitInput, DispatchInput, DispatchOutcome, MergeOutcome, TaskGateInput, WorkerOutcome } from '../../machines/task.types.js';
import type { GateResult } from '../domain/gates.js';
import type { RunSnapshot } from './runView.js';

/**
 * What a run's effects may see of the run they serve: the run as its driver holds
 * it now. Effects take what they need from here or from their input, never by
 * reading the run back from the store. `current()` is null until the driver has
 * restored the run, and always null for effects made only to check an operator command.
 */
export interface RunAccess {
  readonly current: () => RunSnapshot | null;
}

/**
 * Makes the effects of one run.
 * @example
 * const effectsFor: EffectsFactory = (runId, run) => createLocalEffects({ ...options, record: records.get(runId), current: run.current });
 */
export type EffectsFactory = (runId: string, run: RunAccess) => RunEffects | Promise<RunEffects>;

/**
 * Every method must be idempotent for its input: after a crash the engine
 * restores the chart and calls it again with the same input (same attempt id,
 * same epoch). `dispatchWorker` in particular must re-attach to a worker that
 * already runs for that attempt, never start a second one.
 */
export interface RunEffects {
  checkIntake(input: RunStepInput): Promise<IntakeOutcome>;
  /** A stacked run's prerequisite runs (packet `after`): ready, still on their way, or failed. `ready` when there are none. */
  checkPrerequisites(input: RunStepInput): Promise<PrerequisiteOutcome>;
  checkAdapters(input: RunStepInput): Promise<PreflightOutcome>;
  acquireLease(input: RunStepInput): Promise<LeaseOutcome>;
  /** After an operator's retry of a blocked run: take its scope locks again (they were released when it blocked). */
  reacquireScope(input: RunStepInput): Promise<ScopeOutcome>;
  dispatchWorker(input: DispatchInput): Promise<DispatchOutcome>;
  /** Resolves when the attempt ends or times out; `signal` aborts waiting (not the worker) when the task is held. */
  awaitCompletion(input: AwaitInput, signal: AbortSignal): Promise<WorkerOutcome>;
  /** After a completed attempt: commit what it changed in the task's worktree (one commit; found again when asked again). */
  commitAttempt(input: CommitInput): Promise<AttemptCommitOutcome>;
  runTaskVerification(input: TaskGateInput): Promise<GateResult>;
  runTaskReview(input: TaskGateInput): Promise<GateResult>;
  mergeTask(input: TaskGateInput): Promise<MergeOutcome>;
  runVerification(input: RunStepInput): Promise<GateResult>;
  runReview(input: RunStepInput): Promise<GateResult>;
  /** After the integration review passed: which approval gates (packet policy.approvals) apply to the run's change, which are skipped. */
  checkApprovals(input: RunStepInput): Promise<ApprovalOutcome>;
  performHandoff(input: RunStepInput): Promise<HandoffOutcome>;
  /** Fire-and-forget hooks from final states (and `releaseScope` on entering blocked); must be idempotent. */
  releaseLease(runId: string): Promise<void>;
  /** Frees the run's cross-run scope locks only (the worktree and branch stay): called when the run blocks. */
  releaseScope(runId: string): Promise<void>;
  cancelWorkers(runId: string): Promise<void>;
  /**
   * Optional: the digest each finished attempt's completion has now (attempts
   * still running or with nothing to ingest are left out). Asked when a driver
   * restores a run, so a completion that changed after it was ingested
   * (`completion_conflict`) or one that arrived for an attempt the task had
   * given up on (recorded, ignored) is noticed. Read-only.
   */
  observeCompletions?(attempts: readonly ObservedAttemptQuery[]): Promise<readonly ObservedCompletion[]>;
}

export interface ObservedAttemptQuery {
  readonly taskId: string;
  readonly attemptId: string;
  readonly epoch: number;
}

export interface ObservedCompletion {
  readonly attemptId: string;
  readonly digest: string;
}
