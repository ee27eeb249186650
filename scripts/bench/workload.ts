// The benchmark's run input: a packet-like DAG of parallel dependency chains.
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import type { TaskSpec } from '../../src/domain/task.js';

/** Chains of the DAG (task i depends on task i - CHAINS). */
export const CHAINS = 10;
/** Workers at once. */
export const CONCURRENCY = 8;
/** Dispatch bound of the bench runs: enough for every task and its retries (a packet may raise it up to 1,000,000). */
export const MAX_DISPATCHES = 50_000;

/** `n` tasks in CHAINS parallel chains with disjoint scopes. */
export function chainedTasks(n: number, chains = CHAINS): TaskSpec[] {
  const id = (i: number) => `t${String(i).padStart(4, '0')}`;
  return Array.from({ length: n }, (_, i) => ({
    id: id(i),
    dependsOn: i >= chains ? [id(i - chains)] : [],
    scope: [`pkg/${id(i)}/**`],
  }));
}

export function benchInput(runId: string, n: number): RunInput {
  return {
    runId,
    approvedHash: `sha256:${'b'.repeat(64)}`,
    tasks: chainedTasks(n),
    limits: { ...DEFAULT_LIMITS, maxDispatches: MAX_DISPATCHES, concurrency: CONCURRENCY },
  };
}
