import type { Limits } from '../domain/limits.js';
import type { TaskProgressState, TaskSpec } from '../domain/task.js';
import { criticalPathWeights } from './criticalPath.js';
import { scopesOverlap } from './scopeOverlap.js';

/** Each task's state: by id, or a list in the order of the DAG (the run chart's form). */
type Progress = Readonly<Record<string, TaskProgressState>> | readonly TaskProgressState[];

/** What `ready` needs of a DAG that never changes during a run: priority order and lookup by id. */
interface DagFacts {
  /** Every task, heavier critical path first, ties by position in the DAG. */
  readonly byPriority: readonly TaskSpec[];
  readonly byId: ReadonlyMap<string, TaskSpec>;
  /** Position of each id in the DAG (where a progress list holds it). */
  readonly position: ReadonlyMap<string, number>;
}

// A run's DAG is one array that never changes for the run's whole life, so its
// facts are computed once per array instead of once per call (ready() runs
// after every finished task). Callers treat the array as immutable; a changed
// length is still noticed and recomputed.
const dagFacts = new WeakMap<readonly TaskSpec[], DagFacts>();

function factsOf(dag: readonly TaskSpec[]): DagFacts {
  const known = dagFacts.get(dag);
  if (known !== undefined && known.byId.size === dag.length) return known;
  const weights = criticalPathWeights(dag);
  const position = new Map(dag.map((task, index) => [task.id, index]));
  const byPriority = [...dag].sort(
    (x, y) =>
      (weights.get(y.id) ?? 0) - (weights.get(x.id) ?? 0) ||
      (position.get(x.id) ?? 0) - (position.get(y.id) ?? 0),
  );
  const facts: DagFacts = { byPriority, byId: new Map(dag.map((task) => [task.id, task])), position };
  dagFacts.set(dag, facts);
  return facts;
}

/**
 * A task's state; a missing entry is `pending` (own keys only, so ids like
 * `constructor` are safe). A list is read at the task's position in `dag`.
 */
export function progressOf(progress: Progress, id: string, dag: readonly TaskSpec[] = []): TaskProgressState {
  if (Array.isArray(progress)) {
    const i = factsOf(dag).position.get(id);
    return i === undefined ? 'pending' : ((progress as readonly TaskProgressState[])[i] ?? 'pending');
  }
  const byId = progress as Readonly<Record<string, TaskProgressState>>;
  return Object.hasOwn(byId, id) ? (byId[id] ?? 'pending') : 'pending';
}

/** The tasks marked `running`: by id, whether or not the id is in the DAG (fail closed on the cap); of a list, those of the DAG. */
function runningIds(progress: Progress, dag: readonly TaskSpec[]): string[] {
  if (!Array.isArray(progress)) {
    const byId = progress as Readonly<Record<string, TaskProgressState>>;
    return Object.keys(byId).filter((id) => byId[id] === 'running');
  }
  const ids: string[] = [];
  const list = progress as readonly TaskProgressState[];
  for (let i = 0; i < list.length; i++) if (list[i] === 'running') ids.push(dag[i]?.id ?? `#${i}`);
  return ids;
}

/** Whether a task is pending with every dependency done; `blocked` never counts as done, so it gates its dependents. */
function isCandidate(task: TaskSpec, progress: Progress, dag: readonly TaskSpec[]): boolean {
  return progressOf(progress, task.id, dag) === 'pending' && task.dependsOn.every((dep) => progressOf(progress, dep, dag) === 'done');
}

/**
 * The task ids that may start now, highest priority first. Guarantees: each is
 * pending with all dependencies done; at most `concurrency - running` are
 * returned (never negative); none overlaps in scope with a running task or
 * with an earlier id in the result. Priority: heavier critical path first,
 * ties by position in `dag`. Pure and deterministic. `dag` is treated as
 * immutable (its priority order is cached per array).
 * @example
 * ready(tasks, { api: 'done', ui: 'pending' }, { concurrency: 2 }); // ['ui'] when ui depends only on api
 */
export function ready(
  dag: readonly TaskSpec[],
  progress: Progress,
  limits: Pick<Limits, 'concurrency'>,
): string[] {
  const running = runningIds(progress, dag);
  const slots = Math.max(0, limits.concurrency - running.length);
  if (!(slots >= 1)) return [];
  const { byPriority, byId } = factsOf(dag);
  const taken: (readonly string[])[] = running.map((id) => byId.get(id)?.scope ?? []);
  const chosen: string[] = [];
  for (const task of byPriority) {
    if (chosen.length >= slots) break;
    if (!isCandidate(task, progress, dag)) continue;
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
  if (runningIds(progress, dag).length > 0) return false;
  if (dag.every((task) => progressOf(progress, task.id, dag) === 'done')) return false;
  return ready(dag, progress, { concurrency: Number.POSITIVE_INFINITY }).length === 0;
}
