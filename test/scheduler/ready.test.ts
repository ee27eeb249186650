import { describe, expect, it } from 'vitest';
import type { TaskProgressState, TaskSpec } from '../../src/domain/task.js';
import { nothingCanProgress, ready, scopesOverlap } from '../../src/scheduler/index.js';

type Progress = Record<string, TaskProgressState>;

function task(id: string, dependsOn: string[] = [], scope: string[] = [`${id}/**`], estimateMin?: number): TaskSpec {
  return { id, dependsOn, scope, estimateMin };
}

/** A four-task chain c1 -> c2 -> c3 -> c4 listed after three independent short tasks. */
const chainAndShorts: TaskSpec[] = [
  task('s1'),
  task('s2'),
  task('s3'),
  task('c1'),
  task('c2', ['c1']),
  task('c3', ['c2']),
  task('c4', ['c3']),
];

describe('ready: dependency gating', () => {
  it('offers a task only once every dependency is done', () => {
    const dag = [task('a'), task('b', ['a']), task('c', ['a', 'b'])];
    expect(ready(dag, {}, { concurrency: 4 })).toEqual(['a']);
    expect(ready(dag, { a: 'running' }, { concurrency: 4 })).toEqual([]);
    expect(ready(dag, { a: 'done' }, { concurrency: 4 })).toEqual(['b']);
    expect(ready(dag, { a: 'done', b: 'done' }, { concurrency: 4 })).toEqual(['c']);
  });

  it('treats a missing progress entry as pending', () => {
    expect(ready([task('a')], {}, { concurrency: 1 })).toEqual(['a']);
  });

  it('never offers a task that is running, done or blocked', () => {
    const dag = [task('a'), task('b'), task('c'), task('d')];
    const progress: Progress = { a: 'running', b: 'done', c: 'blocked' };
    expect(ready(dag, progress, { concurrency: 8 })).toEqual(['d']);
  });

  it('never offers a task that depends on an id missing from the DAG', () => {
    expect(ready([task('a', ['ghost'])], {}, { concurrency: 2 })).toEqual([]);
  });

  it('reads progress by own keys only, so an id like "constructor" is pending by default', () => {
    const dag = [task('constructor'), task('toString', ['constructor'])];
    expect(ready(dag, {}, { concurrency: 2 })).toEqual(['constructor']);
  });
});

describe('ready: blocked tasks', () => {
  it('never offers the transitive dependents of a blocked task', () => {
    const dag = [task('a'), task('b', ['a']), task('c', ['b']), task('x')];
    expect(ready(dag, { a: 'blocked' }, { concurrency: 4 })).toEqual(['x']);
    expect(ready(dag, { a: 'blocked', x: 'done' }, { concurrency: 4 })).toEqual([]);
  });
});

describe('ready: concurrency cap', () => {
  const four = [task('a'), task('b'), task('c'), task('d'), task('e')];

  it('returns at most concurrency minus the running count', () => {
    expect(ready(four, {}, { concurrency: 3 })).toHaveLength(3);
    expect(ready(four, { a: 'running' }, { concurrency: 3 })).toEqual(['b', 'c']);
    expect(ready(four, { a: 'running', b: 'running' }, { concurrency: 2 })).toEqual([]);
  });

  it('returns nothing, never a negative count, when more tasks run than the cap allows', () => {
    expect(ready(four, { a: 'running', b: 'running', c: 'running' }, { concurrency: 2 })).toEqual([]);
  });

  it('counts running entries for ids outside the DAG against the cap (fail closed)', () => {
    expect(ready(four, { elsewhere: 'running' }, { concurrency: 2 })).toEqual(['a']);
  });
});

describe('ready: scope conflicts', () => {
  it('skips a task whose scope overlaps a running task', () => {
    const dag = [task('api', [], ['src/api']), task('handler', [], ['src/api/users.ts']), task('docs', [], ['docs'])];
    expect(ready(dag, { api: 'running' }, { concurrency: 4 })).toEqual(['docs']);
  });

  it('does not pick two overlapping tasks together; the higher-priority one wins', () => {
    const dag = [task('first', [], ['docs/**']), task('second', [], ['docs/a.md']), task('third', [], ['src/x.ts'])];
    expect(ready(dag, {}, { concurrency: 3 })).toEqual(['first', 'third']);
  });

  it('lets a skipped task leave its slot to the next non-overlapping one', () => {
    const dag = [task('a', [], ['x']), task('b', [], ['x/y']), task('c', [], ['z'])];
    expect(ready(dag, {}, { concurrency: 2 })).toEqual(['a', 'c']);
  });

  it('lets tasks with an empty scope run beside anything', () => {
    const dag = [task('all', [], ['**']), task('none', [], [])];
    expect(ready(dag, {}, { concurrency: 2 })).toEqual(['all', 'none']);
  });
});

describe('ready: priority', () => {
  it('starts the long chain first when only one slot is free', () => {
    expect(ready(chainAndShorts, {}, { concurrency: 1 })).toEqual(['c1']);
  });

  it('fills further slots with short tasks in DAG order after the chain head', () => {
    expect(ready(chainAndShorts, {}, { concurrency: 2 })).toEqual(['c1', 's1']);
    expect(ready(chainAndShorts, {}, { concurrency: 3 })).toEqual(['c1', 's1', 's2']);
  });

  it('weights by estimates, so one long task beats a chain of unestimated ones', () => {
    const dag = [task('a1'), task('a2', ['a1']), task('a3', ['a2']), task('big', [], undefined, 10)];
    expect(ready(dag, {}, { concurrency: 1 })).toEqual(['big']);
    const small = [task('a1'), task('a2', ['a1']), task('a3', ['a2']), task('big', [], undefined, 2)];
    expect(ready(small, {}, { concurrency: 1 })).toEqual(['a1']);
  });

  it('breaks weight ties by DAG order', () => {
    const dag = [task('z'), task('m'), task('a')];
    expect(ready(dag, {}, { concurrency: 3 })).toEqual(['z', 'm', 'a']);
  });
});

describe('ready: determinism', () => {
  it('returns the same answer for the same input, whatever the key order of progress', () => {
    const progress: Progress = { s1: 'done', c1: 'done' };
    const reordered: Progress = { c1: 'done', s1: 'done' };
    const first = ready(chainAndShorts, progress, { concurrency: 3 });
    for (let i = 0; i < 5; i += 1) expect(ready(chainAndShorts, progress, { concurrency: 3 })).toEqual(first);
    expect(ready(chainAndShorts, reordered, { concurrency: 3 })).toEqual(first);
    expect(first).toEqual(['c2', 's2', 's3']);
  });

  it('keeps its guarantees on random DAGs with random progress and scopes', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const states: TaskProgressState[] = ['pending', 'running', 'done', 'blocked'];
    const dirs = ['a', 'a/b', 'b', 'c/*.ts', 'c/x.md', '**/z'];
    for (let round = 0; round < 200; round += 1) {
      const n = 2 + Math.floor(rand() * 12);
      const dag: TaskSpec[] = [];
      const progress: Progress = {};
      for (let i = 0; i < n; i += 1) {
        const deps = Array.from({ length: i }, (_, j) => `t${j}`).filter(() => rand() < 0.2);
        dag.push(task(`t${i}`, deps, [dirs[Math.floor(rand() * dirs.length)] ?? 'a']));
        progress[`t${i}`] = states[Math.floor(rand() * states.length)] ?? 'pending';
      }
      const concurrency = 1 + Math.floor(rand() * 4);
      const result = ready(dag, progress, { concurrency });
      const running = dag.filter((t) => progress[t.id] === 'running');
      expect(result.length).toBeLessThanOrEqual(Math.max(0, concurrency - running.length));
      const picked = result.map((id) => dag.find((t) => t.id === id) as TaskSpec);
      picked.forEach((t, i) => {
        expect(progress[t.id]).toBe('pending');
        for (const dep of t.dependsOn) expect(progress[dep]).toBe('done');
        for (const r of running) expect(scopesOverlap(t.scope, r.scope)).toBe(false);
        for (const earlier of picked.slice(0, i)) expect(scopesOverlap(t.scope, earlier.scope)).toBe(false);
      });
    }
  });
});

describe('nothingCanProgress', () => {
  const dag = [task('a'), task('b', ['a'])];

  it('is false while a task is running', () => {
    expect(nothingCanProgress(dag, { a: 'running' })).toBe(false);
  });

  it('is false once every task is done, and for an empty DAG', () => {
    expect(nothingCanProgress(dag, { a: 'done', b: 'done' })).toBe(false);
    expect(nothingCanProgress([], {})).toBe(false);
  });

  it('is false while some task could start', () => {
    expect(nothingCanProgress(dag, {})).toBe(false);
    expect(nothingCanProgress(dag, { a: 'done' })).toBe(false);
  });

  it('is true when a blocked task leaves its dependents unable ever to start', () => {
    expect(nothingCanProgress(dag, { a: 'blocked' })).toBe(true);
  });

  it('is true when a dependency can never be done because it is not in the DAG', () => {
    expect(nothingCanProgress([task('a', ['ghost'])], {})).toBe(true);
  });
});
