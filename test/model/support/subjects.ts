// The machines under test: the real charts with their real pure logic, and
// every effect replaced by a stub that never settles.
import type { AnyStateMachine } from 'xstate';
import type { ApprovalOutcome, HandoffOutcome, IntakeOutcome, LeaseOutcome, PreflightOutcome, PrerequisiteOutcome, RunStepInput, ScopeOutcome } from '../../../machines/run.types.js';
import type { AttemptCommitOutcome, AwaitInput, CommitInput, DispatchInput, DispatchOutcome, MergeOutcome, TaskGateInput, WorkerOutcome } from '../../../machines/task.types.js';
import type { GateResult } from '../../../src/domain/gates.js';
import { runMachine, taskMachine } from '../../../src/machines/index.js';
import { pending } from './models.js';

export const taskSubject = (overrides: Parameters<typeof taskMachine.provide>[0] = {}): AnyStateMachine =>
  taskMachine.provide({
    ...overrides,
    actors: {
      dispatchWorker: pending<DispatchOutcome, DispatchInput>(),
      awaitCompletion: pending<WorkerOutcome, AwaitInput>(),
      commitAttempt: pending<AttemptCommitOutcome, CommitInput>(),
      runTaskVerification: pending<GateResult, TaskGateInput>(),
      runTaskReview: pending<GateResult, TaskGateInput>(),
      mergeTask: pending<MergeOutcome, TaskGateInput>(),
    },
    actions: {
      reportDispatchRequest: () => undefined,
      reportUsage: () => undefined,
      reportPassed: () => undefined,
      reportBlocked: () => undefined,
      reportLeaseLost: () => undefined,
      ...overrides.actions,
    },
  });

export const runSubject = (overrides: Parameters<typeof runMachine.provide>[0] = {}): AnyStateMachine =>
  runMachine.provide({
    ...overrides,
    actors: {
      // A real task child with inert effects and silent reports: the run model sends the task reports itself.
      task: taskMachine.provide({
        actors: {
          dispatchWorker: pending<DispatchOutcome, DispatchInput>(),
          awaitCompletion: pending<WorkerOutcome, AwaitInput>(),
          commitAttempt: pending<AttemptCommitOutcome, CommitInput>(),
          runTaskVerification: pending<GateResult, TaskGateInput>(),
          runTaskReview: pending<GateResult, TaskGateInput>(),
          mergeTask: pending<MergeOutcome, TaskGateInput>(),
        },
        actions: { reportDispatchRequest: () => undefined, reportUsage: () => undefined, reportPassed: () => undefined, reportBlocked: () => undefined, reportLeaseLost: () => undefined },
      }),
      checkIntake: pending<IntakeOutcome, RunStepInput>(),
      checkPrerequisites: pending<PrerequisiteOutcome, RunStepInput>(),
      checkAdapters: pending<PreflightOutcome, RunStepInput>(),
      acquireLease: pending<LeaseOutcome, RunStepInput>(),
      reacquireScope: pending<ScopeOutcome, RunStepInput>(),
      runVerification: pending<GateResult, RunStepInput>(),
      runReview: pending<GateResult, RunStepInput>(),
      performHandoff: pending<HandoffOutcome, RunStepInput>(),
      checkApprovals: pending<ApprovalOutcome, RunStepInput>(),
    },
  });
