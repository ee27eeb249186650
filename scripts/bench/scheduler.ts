// Where the engine's per-task CPU goes as runs grow: the scheduler's ready()
// is asked on every task completion and looks at the whole DAG each time.
import type { TaskProgressState } from '../../src/domain/task.js';
import { ready } from '../../src/scheduler/index.js';
import { summary } from './stats.js';
import { CONCURRENCY, chainedTasks } from './workload.js';

export interface ReadyCost {
  readonly tasks: number;
  /** Median ms of one ready() call with half the tasks done and one slot free. */
  readonly msPerCall: number;
}

export function measureReadyCost(tasks: number, calls: number): ReadyCost {
  const dag = chainedTasks(tasks);
  const progress: Record<string, TaskProgressState> = {};
  dag.forEach((task, i) => {
    progress[task.id] = i < tasks / 2 ? 'done' : 'pending';
  });
  // concurrency - 1 running: one free slot, as after a task has just passed.
  dag.slice(Math.floor(tasks / 2), Math.floor(tasks / 2) + Math.min(CONCURRENCY - 1, Math.floor(tasks / 2))).forEach((task) => {
    progress[task.id] = 'running';
  });
  const times: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const t0 = performance.now();
    ready(dag, progress, { concurrency: CONCURRENCY });
    times.push(performance.now() - t0);
  }
  return { tasks, msPerCall: summary(times).median };
}
