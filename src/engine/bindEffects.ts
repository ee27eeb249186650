// Bind an effects port to the charts: one named actor per effect, and the
// final-state hooks as named actions. This is the only place the charts meet
// the outside world. An effect that finds the run's lease gone rejects with a
// `lease_lost` error; the charts' `leaseLost` guards block the run on it.
import { fromPromise } from 'xstate';
import type { ApprovalOutcome, HandoffOutcome, IntakeOutcome, LeaseOutcome, PreflightOutcome, PrerequisiteOutcome, RunStepInput, ScopeOutcome } from '../../machines/run.types.js';
import type { AttemptCommitOutcome, AwaitInput, CommitInput, DispatchInput, DispatchOutcome, MergeOutcome, TaskGateInput, WorkerOutcome } from '../../machines/task.types.js';
import type { GateResult } from '../domain/gates.js';
import { runMachine, taskMachine } from '../machines/index.js';
import type { RunEffects } from './effects.js';

export interface BindOptions {
  /** Called with the promise of every final-state hook, so the session can await it before it stops. */
  readonly onHook: (name: HookName, done: Promise<void>) => void;
  /** Operator commands change state only: effect actors never settle and call nothing. Hooks still run. */
  readonly inert?: boolean;
}

/** The effects the charts fire and forget (the session awaits them before it stops). */
export const HOOK_NAMES = ['releaseLease', 'releaseScope', 'cancelWorkers'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/**
 * The run chart with its effects provided by `effects`.
 * @example
 * const machine = bindEffects(createScriptedEffects(), { onHook: (_name, done) => void done });
 * const actor = createActor(machine, { input }).start(); // drive the chart yourself, without the runner's persistence
 */
export function bindEffects(given: RunEffects, bind: BindOptions) {
  const effects: RunEffects =
    bind.inert === true
      ? {
          checkIntake: never,
          checkPrerequisites: never,
          checkAdapters: never,
          acquireLease: never,
          reacquireScope: never,
          dispatchWorker: never,
          awaitCompletion: never,
          commitAttempt: never,
          runTaskVerification: never,
          runTaskReview: never,
          mergeTask: never,
          runVerification: never,
          runReview: never,
          performHandoff: never,
          checkApprovals: never,
          releaseLease: (runId) => given.releaseLease(runId),
          releaseScope: (runId) => given.releaseScope(runId),
          cancelWorkers: (runId) => given.cancelWorkers(runId),
        }
      : given;
  const task = taskMachine.provide({
    actors: {
      dispatchWorker: fromPromise<DispatchOutcome, DispatchInput>(({ input }) => effects.dispatchWorker(input)),
      awaitCompletion: fromPromise<WorkerOutcome, AwaitInput>(({ input, signal }) => effects.awaitCompletion(input, signal)),
      commitAttempt: fromPromise<AttemptCommitOutcome, CommitInput>(({ input }) => effects.commitAttempt(input)),
      runTaskVerification: fromPromise<GateResult, TaskGateInput>(({ input }) => effects.runTaskVerification(input)),
      runTaskReview: fromPromise<GateResult, TaskGateInput>(({ input }) => effects.runTaskReview(input)),
      mergeTask: fromPromise<MergeOutcome, TaskGateInput>(({ input }) => effects.mergeTask(input)),
    },
  });
  const hook = (name: HookName) => ({ context }: { context: { runId: string } }) => {
    bind.onHook(name, effects[name](context.runId));
  };
  return runMachine.provide({
    actors: {
      task,
      checkIntake: fromPromise<IntakeOutcome, RunStepInput>(({ input }) => effects.checkIntake(input)),
      checkPrerequisites: fromPromise<PrerequisiteOutcome, RunStepInput>(({ input }) => effects.checkPrerequisites(input)),
      checkAdapters: fromPromise<PreflightOutcome, RunStepInput>(({ input }) => effects.checkAdapters(input)),
      acquireLease: fromPromise<LeaseOutcome, RunStepInput>(({ input }) => effects.acquireLease(input)),
      reacquireScope: fromPromise<ScopeOutcome, RunStepInput>(({ input }) => effects.reacquireScope(input)),
      runVerification: fromPromise<GateResult, RunStepInput>(({ input }) => effects.runVerification(input)),
      runReview: fromPromise<GateResult, RunStepInput>(({ input }) => effects.runReview(input)),
      performHandoff: fromPromise<HandoffOutcome, RunStepInput>(({ input }) => effects.performHandoff(input)),
      checkApprovals: fromPromise<ApprovalOutcome, RunStepInput>(({ input }) => effects.checkApprovals(input)),
    },
    actions: { releaseLease: hook('releaseLease'), releaseScope: hook('releaseScope'), cancelWorkers: hook('cancelWorkers') },
  });
}
