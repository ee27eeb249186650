// Scheduling math on a task DAG, in one place for scripts/simulate-schedule.ts
// and the bench's makespan study: seeded random DAGs, the lower bound no
// schedule can beat, and zero-overhead simulations of the policies (buran's
// own `ready()`, critical path first; FIFO; waves; one at a time). Pure:
// durations are numbers in whatever unit the caller uses (minutes, ms).
import type { TaskProgressState, TaskSpec } from '../../src/domain/task.js';
import { criticalPathWeights, ready } from '../../src/scheduler/index.js';

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Integer in [lo, hi], both inclusive. */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** A DAG and each task's true duration. The scheduler sees only `estimateMin`; the simulations run on `durations`. */
export interface Dag {
  readonly dag: readonly TaskSpec[];
  readonly durations: ReadonlyMap<string, number>;
}

export interface Instance extends Dag {
  readonly concurrency: number;
}

export interface DagShape {
  readonly minTasks: number;
  readonly maxTasks: number;
  /** One task's duration, drawn from `rand`. */
  readonly duration: (rand: () => number) => number;
  /** The estimate (minutes) the packet gives the scheduler for a task of this duration. */
  readonly estimateMin: (duration: number) => number;
}

/**
 * A random DAG: `minTasks`–`maxTasks` tasks `t0…`, each depending on 0 to a
 * per-DAG maximum (1–3) of earlier tasks, scope `src/<id>.txt` (disjoint).
 * Draw order per DAG: task count, maximum, then per task its dependencies and
 * its duration, so a seed always yields the same DAGs.
 */
export function randomDag(rand: () => number, shape: DagShape): Dag {
  const n = randInt(rand, shape.minTasks, shape.maxTasks);
  const maxDeps = randInt(rand, 1, 3);
  const dag: TaskSpec[] = [];
  const durations = new Map<string, number>();
  for (let i = 0; i < n; i += 1) {
    const deps = new Set<string>();
    const k = Math.min(i, randInt(rand, 0, maxDeps));
    while (deps.size < k) deps.add(`t${randInt(rand, 0, i - 1)}`);
    const duration = shape.duration(rand);
    dag.push({ id: `t${i}`, dependsOn: [...deps], scope: [`src/t${i}.txt`], estimateMin: shape.estimateMin(duration) });
    durations.set(`t${i}`, duration);
  }
  return { dag, durations };
}

function durationOf(inst: Dag, id: string): number {
  const d = inst.durations.get(id);
  if (d === undefined) throw new Error(`no duration for task ${id}`);
  return d;
}

/** Picks which tasks to start now, given the progress and how many are running. */
export type Policy = (inst: Instance, progress: Readonly<Record<string, TaskProgressState>>, running: number) => string[];

/** Pending tasks whose dependencies are all done, in DAG order. */
function eligibleInOrder(dag: readonly TaskSpec[], progress: Readonly<Record<string, TaskProgressState>>): string[] {
  return dag.filter((t) => (progress[t.id] ?? 'pending') === 'pending' && t.dependsOn.every((d) => progress[d] === 'done')).map((t) => t.id);
}

/** buran's own choice: `ready()`, heaviest critical path (by estimate) first. */
export const criticalPathFirst: Policy = (inst, progress) => ready(inst.dag, progress, { concurrency: inst.concurrency });
/** Eligible tasks in DAG order whenever a slot is free. */
export const fifo: Policy = (inst, progress, running) => eligibleInOrder(inst.dag, progress).slice(0, inst.concurrency - running);
/** Up to `concurrency` eligible tasks (DAG order); the next wave starts only when the whole wave has finished. */
export const waves: Policy = (inst, progress, running) => (running > 0 ? [] : eligibleInOrder(inst.dag, progress).slice(0, inst.concurrency));

export const POLICIES: Readonly<Record<string, Policy>> = { 'critical-path': criticalPathFirst, fifo, waves };

/**
 * Makespan of `policy` with zero overhead: continuous time, start what the
 * policy picks, jump to the next finish (every task ending then is done at
 * once), repeat. Throws if nothing runs and nothing can start.
 */
export function simulate(inst: Instance, policy: Policy): number {
  const progress: Record<string, TaskProgressState> = {};
  const finishes = new Map<string, number>();
  let now = 0;
  let done = 0;
  while (done < inst.dag.length) {
    for (const id of policy(inst, progress, finishes.size)) {
      progress[id] = 'running';
      finishes.set(id, now + durationOf(inst, id));
    }
    if (finishes.size === 0) throw new Error('simulation stalled: nothing running and nothing startable');
    now = Math.min(...finishes.values());
    for (const [id, end] of [...finishes]) {
      if (end !== now) continue;
      finishes.delete(id);
      progress[id] = 'done';
      done += 1;
    }
  }
  return now;
}

/** The longest chain of true durations through the DAG. */
export function criticalPathLength(inst: Dag): number {
  const weighted = inst.dag.map((t) => ({ ...t, estimateMin: durationOf(inst, t.id) }));
  return Math.max(0, ...criticalPathWeights(weighted).values());
}

/** Sum of all durations: the makespan of running the tasks one at a time (a DAG always has one ready, so none idles). */
export function sequential(inst: Dag): number {
  return inst.dag.reduce((sum, t) => sum + durationOf(inst, t.id), 0);
}

/** max(longest chain, total work / concurrency): no schedule on `concurrency` slots can beat it. */
export function lowerBound(inst: Instance): number {
  return Math.max(criticalPathLength(inst), sequential(inst) / inst.concurrency);
}
