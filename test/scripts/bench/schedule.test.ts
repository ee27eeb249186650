// The bench's scheduling math on small DAGs worked out by hand.
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../../src/domain/task.js';
import {
  type Instance,
  criticalPathFirst,
  criticalPathLength,
  fifo,
  lowerBound,
  mulberry32,
  randInt,
  randomDag,
  sequential,
  simulate,
  waves,
} from '../../../scripts/bench/schedule.js';

type Spec = readonly [id: string, duration: number, deps?: readonly string[]];

/** Tasks `[id, duration, deps]` with the estimate equal to the duration, on `concurrency` slots. */
function instance(concurrency: number, tasks: readonly Spec[]): Instance {
  const dag: TaskSpec[] = tasks.map(([id, d, deps]) => ({ id, dependsOn: [...(deps ?? [])], scope: [`src/${id}.txt`], estimateMin: d }));
  return { dag, concurrency, durations: new Map(tasks.map(([id, d]) => [id, d])) };
}

// a(1) b(1) c(3) d(3, after c), 2 slots. Critical path c→d = 6; work 8 / 2 = 4.
// Critical path first: c and a at 0, b at 1, d at 3 when c ends → 6.
// FIFO (DAG order): a and b at 0, c at 1, d at 4 → 7.
// Waves: {a, b} 0–1, {c} 1–4, {d} 4–7 → 7. One at a time: 8.
const chainBehind = instance(2, [
  ['a', 1],
  ['b', 1],
  ['c', 3],
  ['d', 3, ['c']],
]);

// Four independent tasks of 2 on 3 slots: the bound is work / 3 = 8/3, but three
// run 0–2 and the fourth 2–4, so every policy needs 4.
const workBound = instance(3, [
  ['a', 2],
  ['b', 2],
  ['c', 2],
  ['d', 2],
]);

// a(4) b(1) c(1) d(1), independent, 2 slots. Bound max(4, 7/2) = 4.
// Critical path first: a and b at 0, c at 1, d at 2 → 4 (at the bound).
// Waves: {a, b} 0–4, {c, d} 4–5 → 5: the short task's slot idles behind a.
const idleWave = instance(2, [
  ['a', 4],
  ['b', 1],
  ['c', 1],
  ['d', 1],
]);

describe('lower bound', () => {
  it('is the critical path when the longest chain dominates', () => {
    expect(criticalPathLength(chainBehind)).toBe(6);
    expect(lowerBound(chainBehind)).toBe(6);
  });

  it('is total work / concurrency when the work dominates, even where no schedule reaches it', () => {
    expect(criticalPathLength(workBound)).toBe(2);
    expect(lowerBound(workBound)).toBeCloseTo(8 / 3, 10);
    expect(simulate(workBound, criticalPathFirst)).toBe(4);
  });

  it('follows the true durations, not the estimates', () => {
    const inst: Instance = { ...chainBehind, durations: new Map([['a', 1], ['b', 1], ['c', 5], ['d', 3]]) };
    expect(lowerBound(inst)).toBe(8);
  });
});

describe('zero-overhead list schedule (critical path first)', () => {
  it('starts the longest chain first and reaches the bound on the chain-behind DAG', () => {
    expect(simulate(chainBehind, criticalPathFirst)).toBe(6);
  });

  it('beats FIFO, which starts the short tasks first', () => {
    expect(simulate(chainBehind, fifo)).toBe(7);
  });

  it('fills a freed slot at once', () => {
    expect(simulate(idleWave, criticalPathFirst)).toBe(4);
  });

  it('orders by the estimates but runs for the true durations', () => {
    // Estimates say b is long, truth says a is: b starts first on one slot, a (5) after it.
    const inst: Instance = { ...instance(1, [['a', 1], ['b', 9]]), durations: new Map([['a', 5], ['b', 1]]) };
    expect(simulate(inst, criticalPathFirst)).toBe(6);
    expect(simulate({ ...inst, concurrency: 2 }, criticalPathFirst)).toBe(5);
  });

  it('never starts a task before its dependency ends (a chain takes its sum on any number of slots)', () => {
    const chain = instance(3, [
      ['a', 2],
      ['b', 3, ['a']],
      ['c', 1, ['b']],
    ]);
    expect(simulate(chain, criticalPathFirst)).toBe(6);
  });
});

describe('waves and sequential', () => {
  it('waves wait for the whole wave before starting the next', () => {
    expect(simulate(idleWave, waves)).toBe(5);
    expect(simulate(chainBehind, waves)).toBe(7);
    expect(simulate(workBound, waves)).toBe(4);
  });

  it('sequential is the sum of the durations', () => {
    expect(sequential(chainBehind)).toBe(8);
    expect(sequential(idleWave)).toBe(7);
    expect(simulate({ ...chainBehind, concurrency: 1 }, criticalPathFirst)).toBe(8);
  });
});

describe('seeded random DAGs', () => {
  const shape = { minTasks: 12, maxTasks: 30, duration: (r: () => number) => randInt(r, 10, 40) * 100, estimateMin: (ms: number) => ms / 60_000 };

  it('the same seed gives the same DAGs; another seed, others', () => {
    const one = randomDag(mulberry32(7), shape);
    expect(randomDag(mulberry32(7), shape)).toEqual(one);
    expect(randomDag(mulberry32(8), shape)).not.toEqual(one);
  });

  it('has the size, the durations and the estimates asked for, and depends only on earlier tasks', () => {
    const rand = mulberry32(42);
    for (let i = 0; i < 50; i += 1) {
      const { dag, durations } = randomDag(rand, shape);
      expect(dag.length).toBeGreaterThanOrEqual(12);
      expect(dag.length).toBeLessThanOrEqual(30);
      dag.forEach((task, index) => {
        const d = durations.get(task.id) ?? NaN;
        expect(d).toBeGreaterThanOrEqual(1000);
        expect(d).toBeLessThanOrEqual(4000);
        expect(d % 100).toBe(0);
        expect(task.estimateMin).toBe(d / 60_000);
        for (const dep of task.dependsOn) expect(Number(dep.slice(1))).toBeLessThan(index);
        expect(new Set(task.dependsOn).size).toBe(task.dependsOn.length);
      });
    }
  });

  it('every schedule lies between the bound and sequential, and critical path first within Graham’s 2 − 1/m of the bound', () => {
    const rand = mulberry32(3);
    for (let i = 0; i < 30; i += 1) {
      const inst: Instance = { ...randomDag(rand, shape), concurrency: 3 };
      const bound = lowerBound(inst);
      for (const policy of [criticalPathFirst, fifo, waves]) {
        const span = simulate(inst, policy);
        expect(span).toBeGreaterThanOrEqual(bound - 1e-9);
        expect(span).toBeLessThanOrEqual(sequential(inst));
      }
      // Graham: any list schedule is within (2 - 1/m) of the optimum, so of the bound.
      expect(simulate(inst, criticalPathFirst)).toBeLessThanOrEqual((2 - 1 / 3) * bound + 1e-9);
    }
  });
});
