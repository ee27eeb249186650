// The attempt queue port: how a runner hands attempts to worker agents on
// other machines. Owned by the core; BullMQ over Redis is one implementation
// (bullmqQueue.ts), memoryQueue.ts its in-memory twin.
import type { AttemptJob, AttemptResult } from './attemptJob.js';

/**
 * Where an attempt's job stands. `completed` carries the result only when it
 * passed the schema (`problem` says why not otherwise): BullMQ stores a result
 * only from the holder of a live lock, so a result here was accepted by the
 * queue; a lapsed holder's is refused before it gets here.
 */
export type AttemptJobState =
  | { readonly state: 'absent' }
  | { readonly state: 'waiting' | 'active'; readonly agent: string | null }
  | { readonly state: 'completed'; readonly agent: string | null; readonly result: AttemptResult | null; readonly problem: string | null }
  /** `stalled`: its holder stopped renewing its lock (died, hung, lost Redis); never run again. */
  | { readonly state: 'failed'; readonly agent: string | null; readonly reason: string; readonly stalled: boolean };

export interface AttemptQueue {
  /** Add the attempt's job (job id = `jobIdOf(runId, attemptId)`, one try); a second add for the same id changes nothing. */
  add(job: AttemptJob): Promise<{ readonly added: boolean }>;
  /** An attempt's job, by its job id: how a restarted runner re-attaches. */
  find(jobId: string): Promise<AttemptJobState>;
  /** End the attempt wherever it is: not taken yet, it is never handed out; taken, its holder kills it. */
  cancel(jobId: string): Promise<void>;
  close(): Promise<void>;
}
