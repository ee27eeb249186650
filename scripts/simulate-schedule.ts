// Compares scheduling policies on seeded random DAGs: makespan / lower bound.
// Run: npx tsx scripts/simulate-schedule.ts [seed] [dags]
import type { TaskProgressState, TaskSpec } from '../src/domain/task.js';
import { criticalPathWeights, ready } from '../src/scheduler/index.js';

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
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
function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

interface Instance {
  readonly dag: readonly TaskSpec[];
  readonly concurrency: number;
}

/** A random DAG: 20–60 tasks, durations 1–30 min as estimateMin, 0–3 edges to earlier tasks, disjoint scopes. */
function randomInstance(rand: () => number): Instance {
  const n = randInt(rand, 20, 60);
  const maxDeps = randInt(rand, 1, 3);
  const dag: TaskSpec[] = [];
  for (let i = 0; i < n; i += 1) {
    const deps = new Set<string>();
    const k = Math.min(i, randInt(rand, 0, maxDeps));
    while (deps.size < k) deps.add(`t${randInt(rand, 0, i - 1)}`);
    dag.push({ id: `t${i}`, dependsOn: [...deps], scope: [`pkg/t${i}`], estimateMin: randInt(rand, 1, 30) });
  }
  return { dag, concurrency: randInt(rand, 2, 4) };
}

/** Picks which ready tasks to start, given the current progress and free slots. */
type Policy = (inst: Instance, progress: Record<string, TaskProgressState>, runningCount: number) => string[];

/** Pending tasks whose dependencies are all done, in DAG order. */
function eligibleInOrder(dag: readonly TaskSpec[], progress: Record<string, TaskProgressState>): string[] {
  return dag
    .filter((t) => (progress[t.id] ?? 'pending') === 'pending' && t.dependsOn.every((d) => progress[d] === 'done'))
    .map((t) => t.id);
}

const policies: Record<string, Policy> = {
  'critical-path': (inst, progress) => ready(inst.dag, progress, { concurrency: inst.concurrency }),
  fifo: (inst, progress, running) => eligibleInOrder(inst.dag, progress).slice(0, inst.concurrency - running),
  // A new wave starts only when the previous one has wholly finished.
  waves: (inst, progress, running) =>
    running > 0 ? [] : eligibleInOrder(inst.dag, progress).slice(0, inst.concurrency),
};

/** Continuous-time list scheduling: start what the policy picks, jump to the next finish, repeat. */
function makespan(inst: Instance, policy: Policy): number {
  const duration = new Map(inst.dag.map((t) => [t.id, t.estimateMin ?? 1]));
  const progress: Record<string, TaskProgressState> = {};
  const finishes = new Map<string, number>();
  let now = 0;
  let done = 0;
  while (done < inst.dag.length) {
    for (const id of policy(inst, progress, finishes.size)) {
      progress[id] = 'running';
      finishes.set(id, now + (duration.get(id) ?? 1));
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

/** max(longest weighted chain, total work / concurrency): no schedule can beat it. */
function lowerBound(inst: Instance): number {
  const chain = Math.max(...criticalPathWeights(inst.dag).values());
  const work = inst.dag.reduce((sum, t) => sum + (t.estimateMin ?? 1), 0);
  return Math.max(chain, work / inst.concurrency);
}

function main(): void {
  const seed = Number(process.argv[2] ?? 20_240_601);
  const count = Number(process.argv[3] ?? 200);
  const rand = mulberry32(seed);
  const instances = Array.from({ length: count }, () => randomInstance(rand));
  const names = Object.keys(policies);
  const ratios = new Map<string, number[]>(names.map((name) => [name, []]));
  const spans = new Map<string, number[]>(names.map((name) => [name, []]));
  for (const inst of instances) {
    const bound = lowerBound(inst);
    for (const name of names) {
      const span = makespan(inst, policies[name] as Policy);
      spans.get(name)?.push(span);
      ratios.get(name)?.push(span / bound);
    }
  }

  const cp = spans.get('critical-path') ?? [];
  const tasks = instances.reduce((sum, inst) => sum + inst.dag.length, 0);
  console.log(`seed ${seed}, ${count} DAGs, ${tasks} tasks, concurrency 2-4, durations 1-30`);
  console.log('policy          mean   max    at-bound  cp-better  cp-worse');
  for (const name of names) {
    const r = ratios.get(name) ?? [];
    const s = spans.get(name) ?? [];
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const atBound = r.filter((x) => x <= 1 + 1e-9).length;
    const better = s.filter((x, i) => (cp[i] ?? x) < x).length;
    const worse = s.filter((x, i) => (cp[i] ?? x) > x).length;
    console.log(
      `${name.padEnd(14)}  ${mean.toFixed(3)}  ${Math.max(...r).toFixed(3)}  ${String(atBound).padStart(8)}` +
        `  ${String(better).padStart(9)}  ${String(worse).padStart(8)}`,
    );
  }
  console.log('ratio = makespan / max(critical path, total work / concurrency); at-bound = ratio 1.000;');
  console.log('cp-better / cp-worse = DAGs where critical-path-first had a shorter / longer makespan than this policy');
}

main();
