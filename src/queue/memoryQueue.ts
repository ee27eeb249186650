// The in-memory twin of the attempt queue, for tests of what drives it. A test
// plays the worker agent with `take` and `finish`.
import type { AttemptJob, AttemptResult } from './attemptJob.js';
import type { AttemptJobState, AttemptQueue } from './port.js';

export interface MemoryAttemptQueue extends AttemptQueue {
  /** Hand the oldest waiting job to `agent` (null when none waits). */
  take(agent: string): AttemptJob | null;
  /** End a taken job: with a result, or failed (stalled when its holder died). */
  finish(attemptId: string, end: { readonly result: AttemptResult } | { readonly reason: string; readonly stalled: boolean }): void;
  /** Attempt ids cancelled, in order. */
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
 * queue.finish(job.attemptId, { reason: 'job stalled more than allowable limit', stalled: true });
 */
export function createMemoryAttemptQueue(): MemoryAttemptQueue {
  const entries = new Map<string, Entry>();
  const cancelled: string[] = [];
  return {
    cancelled,
    add(job) {
      if (entries.has(job.attemptId)) return Promise.resolve({ added: false });
      entries.set(job.attemptId, { job, state: { state: 'waiting', agent: null } });
      return Promise.resolve({ added: true });
    },
    find: (attemptId) => Promise.resolve(entries.get(attemptId)?.state ?? { state: 'absent' }),
    cancel(attemptId) {
      cancelled.push(attemptId);
      const entry = entries.get(attemptId);
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
    finish(attemptId, end) {
      const entry = entries.get(attemptId);
      if (entry?.state.state !== 'active') throw new Error(`memory queue: ${attemptId} is not taken`);
      const agent = entry.state.agent;
      entry.state = 'result' in end ? { state: 'completed', agent, result: end.result, problem: null } : { state: 'failed', agent, reason: end.reason, stalled: end.stalled };
    },
  };
}
