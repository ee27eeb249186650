// Model-based tests: @xstate/graph generates the paths of both charts; each
// path is replayed on a real actor and the six invariants are checked at
// every step. Prints `model coverage: ...` and fails below full coverage.
import { describe, expect, it } from 'vitest';
import { chartUniverse } from './support/chartGraph.js';
import { walkRun, walkTask } from './support/models.walks.js';
import { runSubject, taskSubject } from './support/subjects.js';

describe('model-based walk of the run and task charts', () => {
  it('holds all six invariants at every step of every generated path, with full state and transition coverage', () => {
    const task = taskSubject();
    const run = runSubject();
    const taskResult = walkTask(task);
    const runResult = walkRun(run);
    const tu = chartUniverse(task);
    const ru = chartUniverse(run);

    const states = [...tu.states, ...ru.states];
    const transitions = [...tu.transitions, ...ru.transitions];
    const visitedStates = states.filter((s) => taskResult.states.has(s) || runResult.states.has(s));
    const visitedTransitions = transitions.filter((t) => taskResult.transitions.has(t) || runResult.transitions.has(t));
    const line =
      `model coverage: states ${visitedStates.length}/${states.length} transitions ${visitedTransitions.length}/${transitions.length}` +
      ` (transient: ${[...tu.transient, ...ru.transient].join(', ')}; history pseudo-states: ${[...tu.history, ...ru.history].join(', ')};` +
      ` paths ${taskResult.paths + runResult.paths}, steps ${taskResult.steps + runResult.steps})`;
    console.log(line);

    expect([...taskResult.violations, ...runResult.violations].slice(0, 10)).toEqual([]);
    expect(states.filter((s) => !visitedStates.includes(s))).toEqual([]);
    expect(transitions.filter((t) => !visitedTransitions.includes(t))).toEqual([]);
    // The walk is not trivially small: it went through thousands of steps.
    expect(taskResult.steps).toBeGreaterThan(1000);
    expect(runResult.steps).toBeGreaterThan(1000);
  }, 600_000); // about 50 s alone; generous because CI runs it beside other test files on 2 cores (under a load of 12+ it took 420 s)
});
