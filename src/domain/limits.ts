import * as z from 'zod';

/** The largest `maxDispatches` a packet may give (the default is 20). */
export const MAX_DISPATCHES_LIMIT = 1_000_000;

/**
 * Bounds on a run. Every counter here is checked before the thing it bounds
 * happens (fail closed), never after.
 * @example
 * const limits = LimitsSchema.parse({ maxAttempts: 2, concurrency: 1 }); // the rest defaulted
 */
export const LimitsSchema = z
  .strictObject({
    /** Attempts per task per epoch (a retry after a missing/invalid/failed completion is a new attempt). */
    maxAttempts: z.number().int().min(1).max(20).default(2),
    /** Fix rounds per task, and separately for the integration gates; each round is a new epoch. */
    maxFixRounds: z.number().int().min(0).max(20).default(2),
    /**
     * Worker dispatches in the whole run, across all tasks, attempts and epochs. A packet raises it
     * as far as its run needs (a 10,000-task run needs at least 10,000); the bound only keeps it a
     * number a person meant (a run's cost grows with its dispatches, not with this limit).
     */
    maxDispatches: z.number().int().min(1).max(MAX_DISPATCHES_LIMIT).default(20),
    /** Wall-clock bound of one attempt, in seconds. */
    taskTimeoutSec: z.number().int().min(1).max(86_400).default(1800),
    /** An attempt whose heartbeat is older than this many seconds is timed out. */
    heartbeatTimeoutSec: z.number().int().min(1).max(86_400).default(300),
    /** Tasks whose workers may run at once. */
    concurrency: z.number().int().min(1).max(64).default(2),
    /** Wall-clock bound of the whole run, in minutes from approval; past it the run blocks (`budget_exhausted`). */
    runTimeoutMin: z.number().int().min(1).max(10_080).optional(),
    /** Spend bound in US dollars (from adapter-reported usage). */
    budgetUsd: z.number().positive().optional(),
    /** Spend bound in tokens (input + output, from adapter-reported usage). */
    budgetTokens: z.number().int().positive().optional(),
  })
  .describe('Bounds on a run; every counter is checked before the thing it bounds happens.');

export type Limits = z.output<typeof LimitsSchema>;

/**
 * The defaults a packet gets for every limit it leaves out.
 * @example
 * const input: RunInput = { runId: 'r1', approvedHash, tasks, limits: DEFAULT_LIMITS };
 */
export const DEFAULT_LIMITS: Limits = LimitsSchema.parse({});
