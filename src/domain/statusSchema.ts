import * as z from 'zod';
import { BlockerSchema, NextSafeActionSchema } from './blockers.js';
import { QuorumSchema, ReviewerVerdictSchema } from './gates.js';
import { UsageSchema } from './usage.js';

/** The `buran status --run <id> --json` contract. Stable public API. */
export const StatusJsonSchema = z.strictObject({
  runId: z.string(),
  status: z.enum(['queued', 'waiting', 'running', 'paused', 'blocked', 'handoff_ready', 'cancelled', 'failed']),
  /** The chart state as a dotted path, e.g. `active.implementing`, `blocked`, `readyForReview`. */
  stage: z.string(),
  epoch: z.number().int().min(1),
  currentTask: z
    .strictObject({
      taskId: z.string(),
      state: z.string(),
      attemptId: z.string().nullable(),
      attempt: z.number().int().nullable(),
      epoch: z.number().int(),
      pid: z.number().int().nullable(),
      heartbeatAgeMs: z.number().nullable(),
    })
    .nullable(),
  blocker: BlockerSchema.nullable(),
  nextSafeAction: NextSafeActionSchema,
  tasks: z.array(z.strictObject({ id: z.string(), state: z.string(), attempts: z.number().int().min(0), epoch: z.number().int().min(0) })),
  usage: UsageSchema,
  updatedAt: z.string().nullable(),
  /** How the run's workers, agent reviewers and verification commands are confined (its sandbox.json); null until a driver has opened the run. */
  sandbox: z
    .strictObject({
      mode: z.enum(['auto', 'required', 'none']),
      /** `bwrap`: confined; `none`: unsandboxed; `unavailable`: required but could not be set up (nothing ran). */
      kind: z.enum(['bwrap', 'none', 'unavailable']),
      network: z.boolean(),
      /** One line for people: "bwrap (/usr/bin/bwrap)", "unsandboxed: <reason>". */
      note: z.string(),
    })
    .nullable(),
  /** The process driving the run now (it holds the run lock), or null; `since` is ISO-8601 ('' when the lock does not say). */
  driver: z.strictObject({ pid: z.number().int().min(1), host: z.string(), since: z.string() }).nullable(),
  /** The latest review of each task, then of the integration, that asked several reviewers (`review.reviewers`): the quorum and every reviewer's verdict. Empty otherwise. */
  reviews: z.array(
    z.strictObject({
      subject: z.enum(['task', 'integration']),
      taskId: z.string().nullable(),
      epoch: z.number().int().min(1),
      status: z.enum(['PASS', 'FAIL', 'BLOCKED']),
      quorum: QuorumSchema,
      reviewers: z.array(ReviewerVerdictSchema),
    }),
  ),
  /**
   * The approval gates (packet policy.approvals) at the current epoch, once the integration review passed: `waitingFor` is the
   * gate a person must decide now (buran decide), null when the run is not waiting for one. Null for a run with no gates.
   */
  approvals: z
    .strictObject({
      epoch: z.number().int().min(1),
      waitingFor: z.string().nullable(),
      pending: z.array(
        z.strictObject({
          name: z.string(),
          onReject: z.enum(['fix', 'end']),
          matched: z.array(z.string()),
          dependencies: z.array(z.strictObject({ manifest: z.string(), added: z.array(z.string()), unreadable: z.string().nullable() })).optional(),
          by: z.array(z.string()).optional(),
        }),
      ),
      approved: z.array(z.string()),
      skipped: z.array(z.strictObject({ name: z.string(), paths: z.array(z.string()), reason: z.string().optional() })),
    })
    .nullable(),
  /**
   * Final-state hooks (cancel the workers, release the lease or the scope) that failed since the run entered its
   * current state, each also a `hook_failed` event: what they were to do is not confirmed (e.g. queued attempts
   * Redis did not confirm cancelled: treat them as running). Empty when every hook succeeded.
   */
  unconfirmed: z.array(
    z.strictObject({
      hook: z.string(),
      code: z.string().nullable(),
      message: z.string(),
      /** When the failure was recorded (ISO-8601, the event's time). */
      at: z.string(),
      nextSafeAction: NextSafeActionSchema.nullable(),
    }),
  ),
  /** Attempt id → the worker agent (`buran worker --name`) that ran it, for attempts a queue carried (docs/distributed.md); empty when attempts ran on the runner's machine. */
  agents: z.record(z.string(), z.string()),
  /** Every operator decision in order (pause, resume, cancel, unblock decisions, approval verdicts): who, why, and the gate and epoch of a verdict. */
  decisions: z.array(
    z.strictObject({
      decision: z.string(),
      by: z.string(),
      reason: z.string(),
      blockerCode: z.string().nullable(),
      gate: z.string().nullable(),
      epoch: z.number().int().nullable(),
    }),
  ),
  /**
   * The packet's setup as it ran: in the run worktree (`place: run`), in task worktrees (`task`, in the log's order) and in
   * the fresh checkout of each verification (`verification`, with the gate's epoch). `reused`: it had passed there for this
   * epoch, nothing ran again. Empty when the packet has no setup or nothing ran yet.
   */
  setup: z.array(
    z.strictObject({
      place: z.enum(['run', 'task', 'verification']),
      where: z.string(),
      taskId: z.string().nullable(),
      epoch: z.number().int().min(1).nullable(),
      status: z.enum(['ok', 'failed', 'reused']),
      commands: z.array(
        z.strictObject({
          argv: z.array(z.string()),
          exitCode: z.number().int().nullable(),
          timedOut: z.boolean(),
          /** Milliseconds. */
          durationMs: z.number().min(0),
          /** Why it could not run or was stopped, when it was. */
          error: z.string().nullable(),
          /** The last lines of its stderr then stdout, redacted. */
          outputTail: z.string(),
        }),
      ),
    }),
  ),
});
