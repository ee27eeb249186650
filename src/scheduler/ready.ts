import type { Limits } from '../domain/limits.js';
import type { TaskProgressState, TaskSpec } from '../domain/task.js';
import { criticalPathWeights } from './criticalPath.js';
import { scopesOverlap } from './scopeOverlap.js';

type Progress = Readonly<Record<string, TaskProgressState>>;

/** A task's state; a missing entry is `pending` (own keys only, so ids like `constructor` are safe). */
export function progressOf(progress: Progress, id: string): TaskProgressState {
  return Object.hasOwn(progress, id) ? (progress[id] ?? 'pending') : 'pending';
}

/** Entries of `progress` marked `running`, whether or not their id is in the DAG (fail closed on the cap). */
function runningIds(progress: Progress): string[] {
  return Object.keys(progress).filter((id) => progress[id] === 'running');
}

/** Tasks that are pending with every dependency done; `blocked` never counts as done, so it gates its dependents. */
function candidates(dag: readonly TaskSpec[], progress: Progress): TaskSpec[] {
  return dag.filter(
    (task) =>
      progressOf(progress, task.id) === 'pending' &&
      task.dependsOn.every((dep) => progressOf(progress, dep) === 'done'),
  );
}

/**
 * The task ids that may start now, highest priority first. Guarantees: each is
 * pending with all dependencies done; at most `concurrency - running` are
 * returned (never negative); none overlaps in scope with a running task or
 * with an earlier id in the result. Priority: heavier critical path first,
 * ties by position in `dag`. Pure and deterministic.
 */
export function ready(
  dag: readonly TaskSpec[],
  progress: Progress,
  limits: Pick<Limits, 'concurrency'>,
): string[] {
  const running = runningIds(progress);
  const slots = Math.max(0, limits.concurrency - running.length);
  if (!(slots >= 1)) return [];
  const pending = candidates(dag, progress);
  if (pending.length === 0) return [];

  const weights = criticalPathWeights(dag);
  const position = new Map(dag.map((task, index) => [task.id, index]));
  const ordered = [...pending].sort(
    (x, y) =>
      (weights.get(y.id) ?? 0) - (weights.get(x.id) ?? 0) ||
      (position.get(x.id) ?? 0) - (position.get(y.id) ?? 0),
  );

  const byId = new Map(dag.map((task) => [task.id, task]));
  const taken: (readonly string[])[] = running.map((id) => byId.get(id)?.scope ?? []);
  const chosen: string[] = [];
  for (const task of ordered) {
    if (chosen.length >= slots) break;
    if (taken.some((scope) => scopesOverlap(scope, task.scope))) continue;
    chosen.push(task.id);
    taken.push(task.scope);
  }
  return chosen;
}

/**
 * True when the run is stuck: nothing running, not every task done, and no
 * task could start even with unlimited concurrency (a blocked task, or a
 * dependency that can never become done).
 */
export function nothingCanProgress(dag: readonly TaskSpec[], progress: Progress): boolean {
  if (runningIds(progress).length > 0) return false;
  if (dag.every((task) => progressOf(progress, task.id) === 'done')) return false;
  return ready(dag, progress, { concurrency: Number.POSITIVE_INFINITY }).length === 0;
}
