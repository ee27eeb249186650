/**
 * The part of a packet task the scheduler and the statecharts need:
 * identity, dependencies, conflict surface and an optional size estimate.
 */
export interface TaskSpec {
  readonly id: string;
  readonly dependsOn: readonly string[];
  /** Path globs (relative to the repo root) the task may change: its conflict surface. */
  readonly scope: readonly string[];
  /** Optional estimate in minutes; weights the critical path. */
  readonly estimateMin?: number | undefined;
}

/** Where one task stands, as the scheduler sees it. */
export type TaskProgressState = 'pending' | 'running' | 'done' | 'blocked';
