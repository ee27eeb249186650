// What goes through the queue: one job per attempt (its id is the run's id and
// the attempt id: attempt ids are unique within a run, not across runs)
// and the result a worker agent returns. Both are checked with these schemas
// where they are read: a job by the agent, a result by the runner.
import * as z from 'zod';
import { ConfigSchema, SandboxPolicySchema } from '../domain/config.js';
import { CommandEvidenceSchema, FindingSchema } from '../domain/gates.js';
import { ArgvSchema, SlugSchema, WorkerSchema } from '../domain/packet.js';
import { UsageSchema } from '../domain/usage.js';
import { workspaceIdProblem } from '../workspace/layout.js';

/** The BullMQ queue every runner and worker agent of one Redis shares. */
export const ATTEMPT_QUEUE = 'buran-attempts';
/** The custom queue event that asks whoever holds an attempt to end it. */
export const CANCEL_EVENT = 'buran-cancel';
export const ATTEMPT_JOB_SCHEMA_ID = 'buran.attempt-job/v1';
export const ATTEMPT_RESULT_SCHEMA_ID = 'buran.attempt-result/v1';

/** A worker agent's name (`buran worker --name`), as status and reports show it. */
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The queue's id of a run's attempt: the job id, the cancel marker, the agent's folders and the refs on the remote are
 * named by it. An attempt id alone (`<task>.a<n>`) repeats across runs that share a Redis and a remote.
 */
export function jobIdOf(runId: string, attemptId: string): string {
  return `${runId}.${attemptId}`;
}

/** What is wrong with a job id as a folder and ref name (too long, …), or null. */
export function jobIdProblem(jobId: string): string | null {
  const problem = workspaceIdProblem(jobId);
  return problem === null ? null : `job id ${jobId.slice(0, 200)} (run id + attempt id) ${problem}: use a shorter packet or task id`;
}

/** Where a worker agent pushes an attempt's commit on the run's remote (by its job id). */
export function attemptRef(jobId: string): string {
  return `refs/buran/attempts/${jobId}`;
}

const CommitSchema = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, { error: 'must be a full commit id' });
// An attempt id names a folder and a ref on the agent: the workspace's id rules.
const AttemptIdSchema = z.string().superRefine((id, ctx) => {
  const problem = workspaceIdProblem(id);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

export const AttemptJobSchema = z.strictObject({
  schema: z.literal(ATTEMPT_JOB_SCHEMA_ID),
  runId: z.string().min(1),
  taskId: SlugSchema,
  attemptId: AttemptIdSchema,
  /** 1-based attempt number of the task. */
  attempt: z.number().int().positive(),
  epoch: z.number().int().positive(),
  /** A git URL every worker machine can fetch from and push to (a bare repository path works). */
  remote: z.string().min(1),
  /** The commit the task worktree starts from; the runner pushed it to the remote before adding the job. */
  baseCommit: CommitSchema,
  worker: WorkerSchema,
  /** The runner's configuration (adapters, env allowlist, commit author); its sandbox policy is `sandbox` below. */
  config: ConfigSchema,
  /** The run's effective sandbox policy (config tightened by the packet). */
  sandbox: SandboxPolicySchema,
  prompt: z.strictObject({
    task: z.strictObject({ id: SlugSchema, title: z.string(), instructions: z.string(), acceptance: z.array(z.string()), scope: z.array(z.string()) }),
    packet: z.strictObject({ title: z.string(), goal: z.string() }),
    findings: z.array(FindingSchema),
  }),
  /** The attempt's wall-clock bound (ms from its start). */
  timeoutMs: z.number().int().positive(),
  /** A supervisor heartbeat older than this (ms) times the attempt out. */
  heartbeatTimeoutMs: z.number().int().positive(),
  /**
   * The packet's setup commands, run in the attempt's worktree before the worker, confined like it; absent when the packet
   * has none (an agent that predates setup refuses a job that has it, this schema being strict, instead of skipping it).
   */
  setup: z.strictObject({ commands: z.array(ArgvSchema).min(1).max(20), /** Per-command bound (ms), as for verification commands. */ timeoutMs: z.number().int().positive() }).optional(),
});
export type AttemptJob = z.output<typeof AttemptJobSchema>;
export type AttemptJobInput = z.input<typeof AttemptJobSchema>;

const OutcomeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('completion'),
    status: z.enum(['completed', 'failed', 'blocked']),
    digest: z.string(),
    summary: z.string(),
    changedFiles: z.array(z.string()).readonly(),
    usage: UsageSchema.nullable(),
  }),
  z.strictObject({ kind: z.literal('invalid'), digest: z.string().nullable(), problems: z.array(z.string()).readonly(), usage: UsageSchema.nullable() }),
  z.strictObject({ kind: z.literal('missing'), reason: z.string() }),
  z.strictObject({ kind: z.literal('timeout'), reason: z.enum(['wall', 'heartbeat']) }),
  z.strictObject({ kind: z.literal('violation'), reason: z.string(), files: z.array(z.string()).readonly() }),
]);

/**
 * The packet's setup as it ran on the agent: each command's evidence (bounded output tails, redacted with the agent's
 * secrets), in order, up to the first that did not pass; and what setup left untracked (never committed with the attempt).
 */
export const AgentSetupSchema = z.strictObject({
  status: z.enum(['ok', 'failed']),
  commands: z.array(CommandEvidenceSchema).min(1).max(20),
  outputs: z.array(z.string()).max(10_000),
});
export type AgentSetup = z.output<typeof AgentSetupSchema>;

export const AttemptResultSchema = z.strictObject({
  schema: z.literal(ATTEMPT_RESULT_SCHEMA_ID),
  attemptId: AttemptIdSchema,
  /** The worker agent that ran it (`--name`). */
  agent: z.string().min(1),
  /**
   * `started`: the worker ran and `outcome` says how it ended; `unavailable`: it could not start (adapter or sandbox);
   * `setup_failed`: a setup command failed (`setup`, `message`), so no worker ran.
   */
  status: z.enum(['started', 'unavailable', 'setup_failed']),
  outcome: OutcomeSchema.nullable(),
  /** The job's setup as it ran; absent when the job had none or the attempt ended before it (`unavailable`). */
  setup: AgentSetupSchema.optional(),
  /** The attempt's commit, pushed to attemptRef(attemptId); null when it changed nothing or did not complete. */
  commit: CommitSchema.nullable(),
  message: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number(),
});
export type AttemptResult = z.output<typeof AttemptResultSchema>;
