// The model walk must catch a broken chart: each test breaks one guard (or
// swaps one blocker code) and expects the matching invariant to fire.
import { slotValue } from '../../machines/shared.js';
import { describe, expect, it } from 'vitest';
import { walkRun, walkTask } from './support/models.walks.js';
import { runSubject, taskSubject } from './support/subjects.js';
import { assign } from 'xstate';
import type { RunContext, RunEvent } from '../../machines/run.types.js';
import type { BlockParams, TaskContext, TaskEvent } from '../../machines/task.types.js';
import { taskBlockAssignment } from '../../src/machines/logic.js';

describe('the model walk catches broken guards', () => {
  it('reports attempts beyond maxAttempts when the retry guard always allows', () => {
    const broken = taskSubject({ guards: { attemptsRemain: () => true } });
    const result = walkTask(broken, ['shortest'], 1);
    expect(result.violations.some((v) => v.startsWith('3: attempts in epoch'))).toBe(true);
  }, 60_000);

  it('reports a handoff without passing gates when the all-tasks-passed guard always allows', () => {
    const broken = runSubject({ guards: { allTasksPassed: () => true } });
    const result = walkRun(broken, 1);
    expect(result.violations.some((v) => v.startsWith('1: ready for review but task'))).toBe(true);
  }, 60_000);

  it('reports a task done on a stale report when the epoch check of TASK_PASSED is dropped', () => {
    const broken = runSubject({
      guards: {
        passedAtCurrentEpoch: ({ context, event }: { context: RunContext; event: RunEvent }) =>
          event.type === 'TASK_PASSED' &&
          slotValue(context.tasks, context.progress, event.taskId) === 'running' &&
          event.gates.some((g) => g.gate === 'verification' && g.status === 'PASS' && g.epoch === event.epoch) &&
          event.gates.some((g) => g.gate === 'review' && g.status === 'PASS' && g.epoch === event.epoch),
      },
    });
    const result = walkRun(broken, 1);
    expect(result.violations.some((v) => /^1: task \w+ is done without both gates PASS at its current epoch/.test(v)), result.violations[0]).toBe(true);
  }, 240_000);

  it('reports a handoff with an approval gate still waiting when approving any gate counts as approving the last', () => {
    const broken = runSubject({
      guards: { approvesLastGate: ({ event }: { event: RunEvent }) => event.type === 'DECIDE' && event.verdict === 'approve' },
    });
    const result = walkRun(broken, 1);
    expect(result.violations.some((v) => v.startsWith('1: ready for review without every approval gate')), result.violations[0]).toBe(true);
  }, 240_000);

  it('reports dispatches beyond maxDispatches when the dispatch guard always allows', () => {
    const broken = runSubject({ guards: { dispatchAllowed: () => true } });
    const result = walkRun(broken, 1);
    expect(result.violations.some((v) => v.startsWith('3: dispatches'))).toBe(true);
  }, 90_000);
});

describe('the model walk catches a block with the wrong code', () => {
  it('reports a timed-out attempt that blocks as completion_missing (a valid code, the wrong one)', () => {
    const swapped = assign<TaskContext, TaskEvent, BlockParams, TaskEvent, never>((args, params) =>
      taskBlockAssignment(args, params.code === 'worker_timeout' ? { ...params, code: 'completion_missing' } : params),
    );
    const result = walkTask(taskSubject({ actions: { block: swapped } }), ['shortest'], 1);
    expect(result.violations.some((v) => v.startsWith('7: task blocked with completion_missing on xstate.done.actor.awaitCompletion')), result.violations[0]).toBe(true);
  }, 60_000);
});
