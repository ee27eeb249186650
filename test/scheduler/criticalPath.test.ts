import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../src/domain/task.js';
import { criticalPathWeights } from '../../src/scheduler/index.js';

function task(id: string, dependsOn: string[] = [], estimateMin?: number): TaskSpec {
  return { id, dependsOn, scope: [], estimateMin };
}

describe('criticalPathWeights', () => {
  it('gives a lone task its own weight, 1 without an estimate', () => {
    expect(criticalPathWeights([task('a')])).toEqual(new Map([['a', 1]]));
    expect(criticalPathWeights([task('a', [], 7)])).toEqual(new Map([['a', 7]]));
  });

  it('sums weights along a chain, counting each task and everything after it', () => {
    const dag = [task('a'), task('b', ['a']), task('c', ['b'])];
    expect(criticalPathWeights(dag)).toEqual(
      new Map([
        ['a', 3],
        ['b', 2],
        ['c', 1],
      ]),
    );
  });

  it('follows the heaviest branch of a fork, weighted by estimates', () => {
    // a -> b (10), a -> c (2) -> d (3): heaviest from a is a + b.
    const dag = [task('a', [], 1), task('b', ['a'], 10), task('c', ['a'], 2), task('d', ['c'], 3)];
    const weights = criticalPathWeights(dag);
    expect(weights.get('a')).toBe(11);
    expect(weights.get('c')).toBe(5);
    expect(weights.get('b')).toBe(10);
  });

  it('counts a diamond join once per path, not summed over paths', () => {
    const dag = [task('a'), task('b', ['a']), task('c', ['a']), task('d', ['b', 'c'])];
    expect(criticalPathWeights(dag).get('a')).toBe(3);
  });

  it('does not depend on the order tasks are listed in', () => {
    const dag = [task('c', ['b']), task('b', ['a']), task('a')];
    expect(criticalPathWeights(dag).get('a')).toBe(3);
  });

  it('ignores dependencies on ids that are not in the DAG', () => {
    expect(criticalPathWeights([task('a', ['ghost'])]).get('a')).toBe(1);
  });

  it('throws an error naming the cycle when the graph is not acyclic', () => {
    const dag = [task('x'), task('a', ['c', 'x']), task('b', ['a']), task('c', ['b'])];
    expect(() => criticalPathWeights(dag)).toThrow('dependency cycle: c -> b -> a -> c');
    expect(() => criticalPathWeights([task('self', ['self'])])).toThrow('self -> self');
  });

  it('throws on a duplicate task id', () => {
    expect(() => criticalPathWeights([task('a'), task('a')])).toThrow(/duplicate/);
  });

  it('handles a long chain without recursion limits', () => {
    const dag = Array.from({ length: 20_000 }, (_, i) => task(`t${i}`, i === 0 ? [] : [`t${i - 1}`]));
    expect(criticalPathWeights(dag).get('t0')).toBe(20_000);
  });
});
