// The in-memory twin of the attempt queue, for tests of what drives it. A test
// plays the worker agent with `take` and `finish`.
import { type AttemptJob, type AttemptResult, jobIdOf } from './attemptJob.js';
import type { AttemptJobState, AttemptQueue } from './port.js';

export interface MemoryAttemptQueue extends AttemptQueue {
  /** Hand the oldest waiting job to `agent` (null when none waits). */
  take(agent: string): AttemptJob | null;
  /** End a taken job (by its job id): with a result, or failed (stalled when its holder died). */
  finish(jobId: string, end: { readonly result: AttemptResult } | { readonly reason: string; readonly stalled: boolean }): void;
  /** Job ids cancelled, in order. */
  readonly cancelled: readonly string[];
}

interface Entry {
  readonly job: AttemptJob;
  state: AttemptJobState;
}

/**
 * @example
 * const queue = createMemoryAttemptQueue();
 * await queue.add(job);
 * queue.take('agent-1');
 * queue.finish(jobIdOf(job.runId, job.attemptId), { reason: 'job stalled more than allowable limit', stalled: true });
 */
export function createMemoryAttemptQueue(): MemoryAttemptQueue {
  const entries = new Map<string, Entry>();
  const cancelled: string[] = [];
  return {
    cancelled,
    add(job) {
      const jobId = jobIdOf(job.runId, job.attemptId);
      if (entries.has(jobId)) return Promise.resolve({ added: false });
      entries.set(jobId, { job, state: { state: 'waiting', agent: null } });
      return Promise.resolve({ added: true });
    },
    find: (jobId) => Promise.resolve(entries.get(jobId)?.state ?? { state: 'absent' }),
    cancel(jobId) {
      cancelled.push(jobId);
      const entry = entries.get(jobId);
      if (entry !== undefined && (entry.state.state === 'waiting' || entry.state.state === 'active')) {
        entry.state = { state: 'failed', agent: entry.state.agent, reason: 'cancelled', stalled: false };
      }
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
    take(agent) {
      const entry = [...entries.values()].find((e) => e.state.state === 'waiting');
      if (entry === undefined) return null;
      entry.state = { state: 'active', agent };
      return entry.job;
    },
    finish(jobId, end) {
      const entry = entries.get(jobId);
      if (entry?.state.state !== 'active') throw new Error(`memory queue: ${jobId} is not taken`);
      const agent = entry.state.agent;
      entry.state = 'result' in end ? { state: 'completed', agent, result: end.result, problem: null } : { state: 'failed', agent, reason: end.reason, stalled: end.stalled };
    },
  };
}
