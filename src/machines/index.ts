// The runnable charts: the pure configuration from machines/ with the pure
// logic of src/ provided. Effects (actors) are still placeholders; the engine
// (or a host app, or a test) provides them with `.provide({ actors })`.
import { runChart, taskActorId } from '../../machines/run.machine.js';
import { taskChart } from '../../machines/task.machine.js';
import { RUN_SPAWNS, allTasksPassed, blockRun, blockTask, spawnReadyTasks } from './logic.js';

/**
 * The task chart with its pure logic provided.
 * @example
 * const task = taskMachine.provide({ actors: { dispatchWorker, awaitCompletion, commitAttempt, runTaskVerification, runTaskReview, mergeTask } });
 */
export const taskMachine = taskChart.provide({ actions: { block: blockTask } });

/**
 * The run chart with its pure logic provided (blockers, scheduler) and the
 * task chart as its spawned child.
 * @example
 * const run = runMachine.provide({ actors: { checkIntake, checkAdapters, acquireLease, runVerification, runReview, performHandoff, task } });
 * createActor(run, { input: { runId, approvedHash, tasks, limits } }).start();
 */
export const runMachine = runChart.provide({
  actions: { block: blockRun, spawnReadyTasks },
  guards: { allTasksPassed },
  actors: { task: taskMachine },
});

export { runChart, taskChart, taskActorId, RUN_SPAWNS };
