// The pure logic the charts delegate to src/: building blockers from the code
// table and asking the scheduler which tasks may start. Provided once here so
// the machine files stay free of runtime imports.
import { assign, enqueueActions } from 'xstate';
import type { RunContext, RunEvent } from '../../machines/run.types.js';
import { taskActorId } from '../../machines/run.machine.js';
import { slotOf } from '../../machines/shared.js';
import type { taskChart } from '../../machines/task.machine.js';
import type { BlockParams, TaskContext, TaskEvent } from '../../machines/task.types.js';
import { BLOCKER_CODES, type BlockerCode, isBlockerCode, makeBlocker } from '../domain/blockers.js';
import { isBuranError } from '../domain/errors.js';
import { ready } from '../scheduler/ready.js';
import { describeEvent } from './describeEvent.js';

/**
 * The code a block records. A chart's `onError` says `internal_error`, but an
 * effect that threw a BuranError with a blocker code (a lost lease, a conflict
 * found while preparing a worktree) already said what went wrong: that code is
 * kept, so the next safe action is the one for the actual cause.
 * @example
 * blockCode('internal_error', { type: 'xstate.error.actor.mergeTask', error: new BuranError({ code: 'integration_conflict', message: '…' }) }); // 'integration_conflict'
 */
export function blockCode(code: BlockerCode, event: { type: string }): BlockerCode {
  if (code !== 'internal_error' || !event.type.startsWith('xstate.error.actor.')) return code;
  const error = (event as { error?: unknown }).error;
  return isBuranError(error) && isBlockerCode(error.code) ? error.code : code;
}

/** `block` for the run chart: a structured blocker with its next safe action and allowed decisions. */
export const blockRun = assign<RunContext, RunEvent, BlockParams, RunEvent, never>(({ context, event }, params) => {
  const { message, details } = describeEvent(event);
  const code = blockCode(params.code, event);
  const blocker = makeBlocker(code, context.runId, message ?? undefined, { ...details, runId: context.runId, stage: 'run' });
  return { blocker, blockedTaskId: null, allowedDecisions: [...BLOCKER_CODES[code].decisions] };
});

/** What `block` assigns in the task chart; `resume` says where an operator RETRY continues. Exported so a test can swap a code. */
export function taskBlockAssignment({ context, event }: { context: TaskContext; event: TaskEvent }, params: BlockParams): Partial<TaskContext> {
  const { message, details } = describeEvent(event);
  const code = blockCode(params.code, event);
  const blocker = makeBlocker(code, context.runId, message ?? undefined, {
    ...details,
    runId: context.runId,
    taskId: context.taskId,
    epoch: context.epoch,
    attemptId: context.current?.attemptId ?? null,
  });
  return { blocker, allowedDecisions: [...BLOCKER_CODES[code].decisions], resumeAt: params.resume ?? null };
}

/** `block` for the task chart. */
export const blockTask = assign<TaskContext, TaskEvent, BlockParams, TaskEvent, never>((args, params) => taskBlockAssignment(args, params));

/**
 * `spawnReadyTasks` for the run chart: every task the scheduler says is ready
 * either gets a new child actor (first time) or a FIX (it already has one).
 */
export const spawnReadyTasks = enqueueActions<RunContext, RunEvent, unknown, RunEvent, { src: 'task'; logic: typeof taskChart; id: string | undefined }, never, never, never, never>(
  ({ context, enqueue }) => {
    const ids = ready(context.tasks, context.progress, context.limits);
    if (ids.length === 0) return;
    const progress = context.progress.slice();
    const taskEpochs = context.taskEpochs.slice();
    for (const taskId of ids) {
      const slot = slotOf(context.tasks, taskId);
      progress[slot] = 'running';
      const childId = taskActorId(taskId);
      // taskEpochs is set for exactly the tasks that were spawned.
      if ((context.taskEpochs[slot] ?? null) === null) {
        taskEpochs[slot] = 1;
        enqueue.spawnChild('task', {
          id: childId,
          input: { runId: context.runId, taskId, limits: context.limits },
        });
      } else {
        enqueue.sendTo(childId, { type: 'FIX', findings: context.fixFindings[taskId] ?? [] });
      }
    }
    enqueue.assign({ progress, taskEpochs });
  },
);

/**
 * Which actor sources the run chart's actions spawn (the config cannot show it:
 * spawning happens inside `spawnReadyTasks`). Read by describeChart and the
 * exports; test/machines/spawns.test.ts checks it against what the action does.
 * @example
 * describeChart(runMachine, { spawns: RUN_SPAWNS }).actors.find((a) => a.src === 'task')?.spawnedBy; // ['spawnReadyTasks']
 */
export const RUN_SPAWNS: Readonly<Record<string, readonly string[]>> = { spawnReadyTasks: ['task'] };

/**
 * Whether every task passed both gates at its current epoch (the run chart's
 * `allTasksPassed` guard). The `always` transition on implementing asks after
 * every event, but the answer changes only when progress, gates or epochs
 * change (each is replaced, never mutated), so it is remembered per
 * `progress` object: O(tasks) per change, not per event.
 */
const everyTaskPassedMemo = new WeakMap<object, { gates: object; epochs: object; passed: boolean }>();
export function allTasksPassed({ context }: { context: RunContext }): boolean {
  const known = everyTaskPassedMemo.get(context.progress);
  if (known !== undefined && known.gates === context.taskGates && known.epochs === context.taskEpochs) return known.passed;
  const passed = context.tasks.every((_t, i) => {
    const g = context.taskGates[i] ?? null;
    return context.progress[i] === 'done' && g !== null && g.epoch >= (context.taskEpochs[i] ?? 1) && g.verification === 'PASS' && g.review === 'PASS';
  });
  everyTaskPassedMemo.set(context.progress, { gates: context.taskGates, epochs: context.taskEpochs, passed });
  return passed;
}
