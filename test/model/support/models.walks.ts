// The walks the model tests run, shared by the coverage test and the
// broken-guard tests.
import type { AnyStateMachine } from 'xstate';
import { runInvariants, taskInvariants } from './invariants.js';
import { allRunEvents, allTaskEvents, runEvents, runInput, runKey, taskCoreEvents, taskEvents, taskInput, taskKey } from './models.js';
import { walk, type WalkResult, emptyResult } from './walk.js';
import type { RunContext } from '../../../machines/run.types.js';
import type { TaskContext } from '../../../machines/task.types.js';


/** Shortest paths over every task event (maxAttempts 2, maxFixRounds 1), then simple paths over the core lifecycle (1, 1). */
export function walkTask(machine: AnyStateMachine, kinds: readonly ('shortest' | 'simple')[] = ['shortest', 'simple'], stopAfterViolations?: number): WalkResult {
  const result = emptyResult();
  for (const kind of kinds) {
    walk<TaskContext>(
      {
        machine,
        kind,
        input: kind === 'shortest' ? taskInput(2, 1) : taskInput(1, 1),
        key: taskKey,
        events: kind === 'shortest' ? taskEvents : taskCoreEvents,
        allEvents: allTaskEvents,
        invariants: taskInvariants,
        ...(stopAfterViolations === undefined ? {} : { stopAfterViolations }),
      },
      result,
    );
  }
  return result;
}

/** Shortest paths over every run event on a three-task DAG with overlapping scopes. */
export function walkRun(machine: AnyStateMachine, stopAfterViolations?: number): WalkResult {
  return walk<RunContext>({
    ...(stopAfterViolations === undefined ? {} : { stopAfterViolations }),
    machine,
    kind: 'shortest',
    input: runInput(),
    key: runKey,
    events: runEvents,
    allEvents: allRunEvents,
    invariants: runInvariants,
  });
}
