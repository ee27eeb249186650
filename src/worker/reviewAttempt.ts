// One agent-reviewer run: the reviewer adapter invoked in its read-only role
// under the same supervisor as workers, in its own attempt folder, so it
// re-attaches after a restart, is bounded by the same deadlines and is ended
// with its whole process group.
import type { WorkerEnd } from '../../machines/task.types.js';
import type { Config } from '../domain/config.js';
import type { AdapterRegistry, AgentRunResult, PacketWorker } from './adapter.js';
import { reattachAttempt, startAttempt } from './attempt.js';
import { attemptPaths } from './attemptFiles.js';
import { attemptOutput, waitForOutcome } from './waitForOutcome.js';
import { confineInvocation } from './confine.js';
import type { SandboxPlan } from '../sandbox/index.js';

export interface ReviewAttemptInput {
  readonly registry: AdapterRegistry;
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The reviewer adapter's name (packet `review.reviewer`, or `review.reviewers[].adapter`). */
  readonly adapter: string;
  /** The reviewer as the packet gives it (a `command` reviewer's argv, model, args); default: just the adapter. */
  readonly worker?: PacketWorker;
  /** The worktree under review; the reviewer's working directory. */
  readonly workspace: string;
  /** The review's attempt folder. */
  readonly dir: string;
  readonly prompt: string;
  /** Ids recorded in intent.json and the reviewer's BURAN_* variables. */
  readonly runId: string;
  readonly taskId: string;
  readonly epoch: number;
  /** Wall-clock bound of the review (ms from its start) and heartbeat staleness bound (ms). */
  readonly timeoutMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly now?: () => number;
  /** How the reviewer is confined; omit to run it unconfined. */
  readonly sandbox?: SandboxPlan;
}

export type ReviewerRun =
  | { readonly kind: 'unavailable'; readonly message: string; readonly details: Record<string, unknown> }
  /** `result` is null when the adapter reports no result (it has no parseResult). */
  | { readonly kind: 'ended'; readonly outcome: WorkerEnd; readonly result: AgentRunResult | null };

/**
 * Start the reviewer (or re-attach to the one already running in `dir`) and
 * wait for it to end. Idempotent for its folder: after a restart it waits for
 * the same process, or reads how it ended.
 */
export async function runReviewAttempt(input: ReviewAttemptInput): Promise<ReviewerRun> {
  const found = input.registry.resolve(input.adapter);
  if ('status' in found) return { kind: 'unavailable', message: found.message, details: found.details };
  const { adapter } = found;
  const paths = attemptPaths(input.dir);
  const now = input.now ?? Date.now;
  let started = await reattachAttempt(input.dir);
  if (started === null) {
    const worker = input.worker ?? { adapter: input.adapter };
    const check = await adapter.check({ worker, config: input.config, env: input.env, workspace: input.workspace });
    if (!check.available) return { kind: 'unavailable', message: check.message, details: check.details };
    const attemptId = input.dir.slice(input.dir.lastIndexOf('/') + 1);
    const invocation = adapter.buildInvocation({
      worker,
      config: input.config,
      env: input.env,
      workspace: input.workspace,
      runId: input.runId,
      taskId: input.taskId,
      attemptId,
      attempt: 1,
      epoch: input.epoch,
      promptFile: paths.prompt,
      completionFile: paths.completion,
      role: 'reviewer',
      sandboxed: input.sandbox !== undefined && input.sandbox.sandbox.kind !== 'none',
    });
    started = await startAttempt({
      attemptDir: input.dir,
      invocation: confineInvocation(invocation, input.sandbox, paths, adapter.sandboxPaths?.({ env: input.env, config: input.config, role: 'reviewer' }), 'reviewer'),
      // The supervisor's backstop sits past the runner's own deadline.
      timeoutMs: input.timeoutMs + 60_000,
      prompt: input.prompt,
      attempt: { runId: input.runId, taskId: input.taskId, attemptId, epoch: input.epoch },
      now,
    });
  }
  const outcome = await waitForOutcome(input.dir, {
    expected: { runId: input.runId, taskId: input.taskId, attemptId: input.dir.slice(input.dir.lastIndexOf('/') + 1), epoch: input.epoch },
    deriveOutcome: adapter.deriveOutcome,
    awaitExit: true,
    deadlineAt: started.startedAt + input.timeoutMs,
    heartbeatTimeoutMs: input.heartbeatTimeoutMs,
    now,
  });
  return { kind: 'ended', outcome, result: adapter.parseResult === undefined ? null : adapter.parseResult(attemptOutput(paths)) };
}
