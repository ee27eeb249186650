// Compares scheduling policies on seeded random DAGs: makespan / lower bound.
// Run: npx tsx scripts/simulate-schedule.ts [seed] [dags]
import { type Instance, POLICIES, lowerBound, mulberry32, randInt, randomDag, simulate } from './bench/schedule.js';

/** A random DAG of 20–60 tasks, durations 1–30 min given exactly as estimateMin, and concurrency 2–4. */
function randomInstance(rand: () => number): Instance {
  const dag = randomDag(rand, { minTasks: 20, maxTasks: 60, duration: (r) => randInt(r, 1, 30), estimateMin: (minutes) => minutes });
  return { ...dag, concurrency: randInt(rand, 2, 4) };
}

function main(): void {
  const seed = Number(process.argv[2] ?? 20_240_601);
  const count = Number(process.argv[3] ?? 200);
  const rand = mulberry32(seed);
  const instances = Array.from({ length: count }, () => randomInstance(rand));
  const names = Object.keys(POLICIES);
  const ratios = new Map<string, number[]>(names.map((name) => [name, []]));
  const spans = new Map<string, number[]>(names.map((name) => [name, []]));
  for (const inst of instances) {
    const bound = lowerBound(inst);
    for (const name of names) {
      const policy = POLICIES[name];
      if (policy === undefined) continue;
      const span = simulate(inst, policy);
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
