// Types of the run chart: input, context, events and effect-actor outputs.
import type { Blocker, OperatorDecision } from '../src/domain/blockers.js';
import type { Finding, GateRecord, GateResult } from '../src/domain/gates.js';
import type { Limits } from '../src/domain/limits.js';
import type { SetupRecord } from '../src/domain/setup.js';
import type { TaskProgressState, TaskSpec } from '../src/domain/task.js';
import type { Usage } from '../src/domain/usage.js';
import type { TaskToRunEvent } from './task.types.js';

export interface RunInput {
  readonly runId: string;
  /** The approved packet's content hash (`sha256:…`); intake checks the packet still hashes to it. */
  readonly approvedHash: string;
  readonly tasks: readonly TaskSpec[];
  readonly limits: Limits;
  /** Epoch ms after which the run blocks with `budget_exhausted` (approval time + limits.runTimeoutMin); null: no bound. */
  readonly deadlineAt?: number | null;
}

export interface DecisionRecord {
  readonly decision: OperatorDecision | 'pause' | 'resume' | ApprovalVerdict;
  readonly by: string;
  readonly reason: string;
  readonly blockerCode: Blocker['code'] | null;
  /** The approval gate an `approve` / `reject` decided, and the epoch it was decided at. */
  readonly gate?: string;
  readonly epoch?: number;
}

/** A person's verdict on an approval gate (`buran decide --approve | --reject`). */
export type ApprovalVerdict = 'approve' | 'reject';

/** An approval gate the run waits for (packet policy.approvals). */
export interface PendingApproval {
  readonly name: string;
  readonly onReject: 'fix' | 'end';
  /** The changed files its `when.paths` matched; empty when the gate has no `when.paths` (it always applies). */
  readonly matched: readonly string[];
  /** With `when.dependencies`: the manifests whose change adds dependencies (or could not be read), and the names added. */
  readonly dependencies?: readonly AddedDependencies[];
  /** Who may decide it (`by` of the gate); absent: anyone. */
  readonly by?: readonly string[];
}

/** What one changed manifest adds; `unreadable` says why it could not be read (the gate then applies). */
export interface AddedDependencies {
  readonly manifest: string;
  readonly added: readonly string[];
  readonly unreadable: string | null;
}

/** A gate whose conditions all missed at that epoch (no changed file matched, no dependency added, no pull request). */
export interface SkippedApproval {
  readonly name: string;
  readonly paths: readonly string[];
  /** Why it was skipped, for people (absent in records made before gates had other conditions than paths). */
  readonly reason?: string;
}

/** Which approval gates apply to the run's change (asked after the integration review passed). */
export interface ApprovalOutcome {
  readonly pending: readonly PendingApproval[];
  readonly skipped: readonly SkippedApproval[];
}

/** The approval gates of one epoch: those still waiting (the first is asked now), those approved, those skipped. */
export interface ApprovalsInEpoch extends ApprovalOutcome {
  readonly epoch: number;
  readonly approved: readonly string[];
}

export interface TaskGateSummary {
  readonly epoch: number;
  readonly verification: GateResult['status'];
  readonly review: GateResult['status'];
}

export interface LeaseInfo {
  readonly branch: string;
  readonly worktree: string;
  readonly baseCommit: string;
}

export interface HandoffInfo {
  readonly branch: string;
  /** The run branch's tip commit at handoff: what was handed off (and pushed, with a pull request). */
  readonly commit: string;
  /** That commit's tree id; absent in runs handed off before it was recorded. */
  readonly tree?: string;
  readonly reportHash: string;
  readonly pullRequest: string | null;
}

export interface RunContext {
  readonly runId: string;
  readonly approvedHash: string;
  readonly tasks: readonly TaskSpec[];
  readonly limits: Limits;
  readonly deadlineAt: number | null;
  /** Integration epoch: 1, +1 per integration fix round. */
  readonly epoch: number;
  readonly fixRounds: number;
  readonly fixGrants: number;
  /** Worker dispatches granted in this run (bounded by limits.maxDispatches). */
  readonly dispatches: number;
  readonly usage: Usage;
  /** The scheduler's view of each task, in the order of `tasks`. */
  readonly progress: readonly TaskProgressState[];
  /** Minimum epoch at which each spawned task must pass (raised when the run asks it for a fix), in the order of `tasks`; null: not spawned. */
  readonly taskEpochs: readonly (number | null)[];
  /** Each task's last pass (its epoch and gate verdicts), in the order of `tasks`; null: not passed yet. */
  readonly taskGates: readonly (TaskGateSummary | null)[];
  /** Findings each fix target gets with its FIX. */
  readonly fixFindings: Readonly<Record<string, readonly Finding[]>>;
  /** Integration gate records, append-only. */
  readonly gates: readonly GateRecord[];
  readonly findings: readonly Finding[];
  readonly lease: LeaseInfo | null;
  readonly handoff: HandoffInfo | null;
  readonly blocker: Blocker | null;
  readonly blockedTaskId: string | null;
  readonly allowedDecisions: readonly OperatorDecision[];
  /** Operator decisions, append-only. */
  readonly decisions: readonly DecisionRecord[];
  /**
   * The retry being carried out while the run re-takes its scope (state `reclaiming`): the blocker it
   * retries and its task. Kept when re-taking fails (the run blocks `lease_conflict`), so the next retry
   * still does what the first asked; cleared once the run continues. Absent in runs stored before it existed.
   */
  readonly retrying?: RetryTarget | null;
  /** The prerequisite run a stacked run waits for (state `waiting`) and its status when last checked. Absent in older runs. */
  readonly waitingFor?: WaitingFor | null;
  /** The approval gates of the current epoch once the integration review passed (state `awaitingApproval`). Absent in older runs. */
  readonly approvals?: ApprovalsInEpoch | null;
}

export interface WaitingFor {
  readonly runId: string;
  /** The prerequisite's status then (`queued`, `running`, `paused`, `waiting`). */
  readonly status: string;
}

export interface RetryTarget {
  readonly code: Blocker['code'];
  readonly taskId: string | null;
}

export type IntakeOutcome =
  | { readonly status: 'ok' }
  | { readonly status: 'insufficient'; readonly problems: readonly { path: string; message: string }[] }
  | { readonly status: 'tampered'; readonly approvedHash: string; readonly actualHash: string };

export type PreflightOutcome =
  | { readonly status: 'ok' }
  | { readonly status: 'unavailable'; readonly message: string; readonly details: Record<string, unknown> }
  /** The sandbox policy is `required` and bubblewrap cannot be set up here. */
  | { readonly status: 'sandbox_unavailable'; readonly message: string; readonly details: Record<string, unknown> }
  /** Neither Linux /proc nor a usable ps: process liveness, start times and group kills cannot be checked here. */
  | { readonly status: 'platform_unsupported'; readonly message: string; readonly details: Record<string, unknown> };

export type LeaseOutcome =
  | {
      readonly status: 'acquired';
      readonly lease: LeaseInfo;
      /** Scope locks of finished runs that were in the way and were dropped (recorded in the event's data). */
      readonly recovered?: readonly { readonly runId: string; readonly scope: readonly string[]; readonly acquiredAt: string }[];
      /** The packet's setup commands in the run worktree (`reused`: already done there). */
      readonly setup?: SetupRecord;
    }
  /** A setup command failed or timed out in the run worktree. */
  | { readonly status: 'setup_failed'; readonly message: string; readonly details: Record<string, unknown>; readonly setup: SetupRecord }
  | { readonly status: 'conflict'; readonly message: string; readonly details: Record<string, unknown> };

/** A stacked run's prerequisites (packet `after`): all handoff-ready, one still on its way, or one that can no longer get there. */
export type PrerequisiteOutcome =
  | { readonly status: 'ready' }
  | { readonly status: 'waiting'; readonly waitingFor: WaitingFor }
  | { readonly status: 'failed'; readonly message: string; readonly details: Record<string, unknown> };

/** Re-taking the run's scope locks after a retry: another run may have taken an overlapping scope meanwhile. */
export type ScopeOutcome =
  | {
      readonly status: 'acquired';
      /** Scope locks of finished or blocked runs that were in the way and were dropped. */
      readonly recovered?: readonly { readonly runId: string; readonly scope: readonly string[]; readonly acquiredAt: string }[];
    }
  | { readonly status: 'conflict'; readonly message: string; readonly details: Record<string, unknown> };

export type HandoffOutcome =
  | { readonly status: 'done'; readonly handoff: HandoffInfo }
  | { readonly status: 'failed'; readonly message: string; readonly details: Record<string, unknown> };

export interface RunStepInput {
  readonly runId: string;
  readonly epoch: number;
  /** Retries operators granted so far (decisions `retry`): an effect that counts its tries takes them from here, never from disk. */
  readonly retries: number;
}

/** Events the run chart accepts: operator commands, engine signals, and its tasks' reports. */
export type RunEvent =
  | { readonly type: 'START' }
  | { readonly type: 'PAUSE'; readonly by: string; readonly reason: string }
  | { readonly type: 'RESUME'; readonly by: string; readonly reason: string }
  | { readonly type: 'CANCEL'; readonly by: string; readonly reason: string }
  | { readonly type: 'UNBLOCK'; readonly decision: OperatorDecision; readonly by: string; readonly reason: string }
  /** A person's decision on the approval gate the run waits for. */
  | { readonly type: 'DECIDE'; readonly gate: string; readonly verdict: ApprovalVerdict; readonly by: string; readonly reason: string }
  | { readonly type: 'LEASE_LOST'; readonly message: string }
  /** Sent by the driver when its clock passes `deadlineAt`; `now` is that clock reading (epoch ms). */
  | { readonly type: 'RUN_DEADLINE'; readonly now: number }
  | TaskToRunEvent;
