// The attempt queue over BullMQ: one job per attempt id, one try, never
// re-run when its holder stalls (the workers run with maxStalledCount 0).
import { type Job, Queue, QueueEventsProducer } from 'bullmq';
import { ATTEMPT_QUEUE, type AttemptJob, AttemptResultSchema, CANCEL_EVENT, jobIdOf } from './attemptJob.js';
import type { AttemptJobState, AttemptQueue } from './port.js';
import { cancelKey, preflightRedis, queueConnection } from './redis.js';

/** BullMQ states of a job no agent has taken yet. */
const NOT_TAKEN = new Set<string>(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/** How long a cancel marker is kept (s): past any attempt's life. */
const CANCEL_MARKER_TTL_SEC = 7 * 24 * 3600;

export interface BullmqQueueOptions {
  /** Queue name; default ATTEMPT_QUEUE (tests use their own). */
  readonly name?: string;
  /** Connection errors after the preflight (Redis restarting); default: ignored, the client reconnects. */
  readonly onError?: (error: Error) => void;
}

/**
 * The attempt queue on the Redis at `url`, after the durability preflight
 * (`queue_not_durable` / `queue_unavailable` when it fails).
 * @example
 * const queue = await openBullmqQueue('redis://10.0.0.5:6379');
 * await queue.add(job); // again after a restart: { added: false }
 */
export async function openBullmqQueue(url: string, options: BullmqQueueOptions = {}): Promise<AttemptQueue> {
  await preflightRedis(url);
  const name = options.name ?? ATTEMPT_QUEUE;
  const connection = queueConnection(url, options.onError ?? (() => undefined));
  const queue = new Queue<AttemptJob, unknown>(name, { connection });
  const events = new QueueEventsProducer(name, { connection });
  return {
    async add(job) {
      const jobId = jobIdOf(job.runId, job.attemptId);
      const existing = await queue.getJob(jobId);
      if (existing !== undefined) return { added: false };
      // A job id already present makes BullMQ's add a no-op, so two racing adds still give one job.
      await queue.add(job.taskId, job, { jobId, attempts: 1, removeOnComplete: false, removeOnFail: false });
      return { added: true };
    },
    async find(jobId) {
      // The state first: a job read after it is at least as far along (a completed job's result is in it).
      const state = await queue.getJobState(jobId);
      const job = state === 'unknown' ? undefined : await queue.getJob(jobId);
      return job === undefined ? { state: 'absent' } : stateOf(job, state);
    },
    async cancel(jobId) {
      // Marker first, then the event: a holder that starts after the marker sees it; one that started before hears the event.
      await connection.set(cancelKey(name, jobId), '1', 'EX', CANCEL_MARKER_TTL_SEC);
      await events.publishEvent({ eventName: CANCEL_EVENT, jobId });
      // Not taken yet: removed, never handed out. A taken job is ended by its holder (removing it would do nothing);
      // a finished one keeps its record.
      if (NOT_TAKEN.has(await queue.getJobState(jobId))) await queue.remove(jobId);
    },
    async close() {
      await events.close();
      await queue.close();
      connection.disconnect();
    },
  };
}

function stateOf(job: Job<AttemptJob, unknown>, state: string): AttemptJobState {
  const agent = holderOf(job);
  if (state === 'completed') {
    const parsed = AttemptResultSchema.safeParse(job.returnvalue);
    if (!parsed.success) return { state, agent, result: null, problem: parsed.error.message };
    if (parsed.data.attemptId !== job.data.attemptId) return { state, agent, result: null, problem: `the result names attempt ${parsed.data.attemptId}, not ${job.data.attemptId}` };
    return { state, agent, result: parsed.data, problem: null };
  }
  if (state === 'failed') return { state, agent, reason: job.failedReason, stalled: /stalled/i.test(job.failedReason) };
  if (state === 'active') return { state, agent };
  return { state: 'waiting', agent: null };
}

/** The agent that took the job, as it said when it started (BullMQ's own processedBy is rewritten by the agent that fails a stalled job). */
function holderOf(job: Job<AttemptJob, unknown>): string | null {
  const progress: unknown = job.progress;
  if (typeof progress === 'object' && progress !== null && 'agent' in progress && typeof progress.agent === 'string') return progress.agent;
  return job.processedBy ?? null;
}
