// One worker task: request a dispatch from the run, dispatch (intent, then
// spawn), await the completion, ingest it once, verify, review, merge into the
// run branch; fix rounds start a new epoch. Pure configuration: every effect
// is a named actor or action provided by the engine (src/engine).
import { assign, enqueueActions, sendParent, setup } from 'xstate';
import type { GateResult } from '../src/domain/gates.js';
import type {
  AttemptCommitOutcome,
  AwaitInput,
  BlockParams,
  CommitInput,
  DispatchInput,
  DispatchOutcome,
  MergeOutcome,
  ResumeStage,
  TaskContext,
  TaskEvent,
  TaskGateInput,
  TaskInput,
  TaskToRunEvent,
  WorkerOutcome,
} from './task.types.js';
import { addedUsage, errorMessageOf, gateGuards, gateOf as gate, leaseLost, notProvided, outputOf } from './shared.js';

const worker = (event: { type: string }) => outputOf<WorkerOutcome>(event);

/** The attempt in flight; only absent in a state no path reaches without one (the effect then sees an empty id). */
const attemptOf = (context: TaskContext) =>
  context.current ?? { attemptId: '', number: 0, epoch: context.epoch, startedAt: null, deadlineAt: null };

/** The summary ingested for the attempt in flight (empty when none was). */
const summaryOf = (context: TaskContext): string => {
  const attemptId = context.current?.attemptId;
  const ingested = context.history.findLast((h) => h.kind === 'outcome' && h.attemptId === attemptId);
  return ingested?.kind === 'outcome' ? ingested.summary : '';
};

/** Input of the verify, review and merge effects. */
const stageInput = ({ context }: { context: TaskContext }): TaskGateInput => ({
  runId: context.runId,
  taskId: context.taskId,
  epoch: context.epoch,
  attemptId: context.current?.attemptId ?? '',
  grants: context.history.filter((h) => h.kind === 'grant').length,
});

export const taskChart = setup({
  types: {
    context: {} as TaskContext,
    events: {} as TaskEvent,
    input: {} as TaskInput,
    emitted: {} as TaskToRunEvent,
  },
  actors: {
    dispatchWorker: notProvided<DispatchOutcome, DispatchInput>('dispatchWorker'),
    awaitCompletion: notProvided<WorkerOutcome, AwaitInput>('awaitCompletion'),
    commitAttempt: notProvided<AttemptCommitOutcome, CommitInput>('commitAttempt'),
    runTaskVerification: notProvided<GateResult, TaskGateInput>('runTaskVerification'),
    runTaskReview: notProvided<GateResult, TaskGateInput>('runTaskReview'),
    mergeTask: notProvided<MergeOutcome, TaskGateInput>('mergeTask'),
  },
  guards: {
    leaseLost: ({ event }) => leaseLost({ event }),
    workerUnavailable: ({ event }) => outputOf<DispatchOutcome>(event)?.status === 'unavailable',
    workspaceConflict: ({ event }) => outputOf<DispatchOutcome>(event)?.status === 'conflict',
    setupFailed: ({ event }) => outputOf<DispatchOutcome>(event)?.status === 'setup_failed',
    /** Verification did not run: setup failed in its fresh checkout (a BLOCKED gate with a `setup_failed` finding). */
    verificationSetupFailed: ({ event }) => gateGuards.verificationSetupFailed({ event }),
    completedOk: ({ event }) => {
      const o = worker(event);
      return o?.kind === 'completion' && o.status === 'completed';
    },
    workerReportedBlocked: ({ event }) => {
      const o = worker(event);
      return o?.kind === 'completion' && o.status === 'blocked';
    },
    workerFailed: ({ event }) => {
      const o = worker(event);
      return o?.kind === 'completion' && o.status === 'failed';
    },
    completionInvalid: ({ event }) => worker(event)?.kind === 'invalid',
    workerTimedOut: ({ event }) => worker(event)?.kind === 'timeout',
    workerViolatedPolicy: ({ event }) => worker(event)?.kind === 'violation',
    /** The packet's setup failed in the attempt's worktree on a worker agent: no worker ran. */
    agentSetupFailed: ({ event }) => worker(event)?.kind === 'setup_failed',
    attemptsRemain: ({ context }) => context.attemptsInEpoch < context.limits.maxAttempts + context.retryGrants,
    gatePassed: ({ event }) => gateGuards.gatePassed({ event }),
    gateFailed: ({ event }) => gateGuards.gateFailed({ event }),
    policyViolated: ({ event }) => gateGuards.policyViolated({ event }),
    merged: ({ event }) => outputOf<MergeOutcome>(event)?.status === 'merged',
    fixRoundsRemain: ({ context }) => context.fixRounds < context.limits.maxFixRounds + context.fixGrants,
    lastFailureWasConflict: ({ context }) => context.lastFailure === 'conflict',
    observedConflicting: ({ context, event }) =>
      event.type === 'COMPLETION_OBSERVED' &&
      Object.hasOwn(context.ingested, event.attemptId) &&
      context.ingested[event.attemptId] !== event.digest,
    /** A completion observed while held differs from the one ingested for its attempt (since the last operator grant). */
    conflictObservedWhileHeld: ({ context }) => {
      const sinceGrant = context.history.slice(context.history.findLastIndex((h) => h.kind === 'grant') + 1);
      return sinceGrant.some((h) => h.kind === 'late_completion' && Object.hasOwn(context.ingested, h.attemptId) && context.ingested[h.attemptId] !== h.digest);
    },
    resumeAt: ({ context }, params: { stage: ResumeStage }) => context.resumeAt === params.stage,
  },
  actions: {
    /** Provided by src/machines/logic.ts: builds the structured blocker from the code table. */
    block: (_args, _params: BlockParams) => {
      throw new Error('buran: action "block" was not provided');
    },
    clearBlocker: assign({ blocker: null, allowedDecisions: [], resumeAt: null }),
    startAttempt: assign(({ context }) => {
      const number = context.attemptCount + 1;
      const attemptId = `${context.taskId}.a${number}`;
      return {
        attemptCount: number,
        attemptsInEpoch: context.attemptsInEpoch + 1,
        current: { attemptId, number, epoch: context.epoch, startedAt: null, deadlineAt: null },
        history: [...context.history, { kind: 'dispatched' as const, attemptId, number, epoch: context.epoch }],
      };
    }),
    recordSetup: assign(({ context, event }) => {
      const o = outputOf<DispatchOutcome>(event);
      const setup = o?.status === 'started' || o?.status === 'setup_failed' ? o.setup : undefined;
      if (setup === undefined || context.current === null) return {};
      return { history: [...context.history, { kind: 'setup' as const, attemptId: context.current.attemptId, epoch: context.epoch, setup }] };
    }),
    markStarted: assign(({ context, event }) => {
      const o = outputOf<DispatchOutcome>(event);
      if (context.current === null || o?.status !== 'started') return {};
      const deadlineAt = o.startedAt + context.limits.taskTimeoutSec * 1000;
      return {
        current: { ...context.current, startedAt: o.startedAt, deadlineAt },
        history: [
          ...context.history,
          { kind: 'started' as const, attemptId: context.current.attemptId, startedAt: o.startedAt, deadlineAt },
        ],
      };
    }),
    ingestOutcome: assign(({ context, event }) => {
      const o = worker(event);
      const attemptId = context.current?.attemptId;
      if (o === undefined || attemptId === undefined) return {};
      const outcome = o.kind === 'completion' ? o.status : o.kind;
      const summary =
        o.kind === 'completion' ? o.summary : o.kind === 'invalid' ? o.problems.join('; ') : o.reason;
      const digest = o.kind === 'completion' ? o.digest : o.kind === 'invalid' ? o.digest : null;
      const usage = o.kind === 'completion' || o.kind === 'invalid' ? o.usage : null;
      // An attempt on a worker agent ran the packet's setup there: recorded before its outcome, as a local dispatch's is.
      const setup = o.setup === undefined ? [] : [{ kind: 'setup' as const, attemptId, epoch: context.epoch, setup: o.setup }];
      return {
        history: [...context.history, ...setup, { kind: 'outcome' as const, attemptId, outcome, summary, usage }],
        ingested: digest === null ? context.ingested : { ...context.ingested, [attemptId]: digest },
        usage: addedUsage(context.usage, usage),
      };
    }),
    recordGate: assign(({ context, event }) => {
      const g = gate(event);
      if (g === undefined) return {};
      return {
        gates: [...context.gates, { gate: g.gate, epoch: context.epoch, status: g.status, evidence: g.evidence, ...(g.reviewers === undefined ? {} : { reviewers: g.reviewers }), ...(g.quorum === undefined ? {} : { quorum: g.quorum }) }],
        history: [...context.history, { kind: 'gate' as const, gate: g.gate, epoch: context.epoch, status: g.status }],
        findings: g.status === 'FAIL' ? [...g.findings, ...g.policyViolations] : context.findings,
        lastFailure: g.status === 'FAIL' ? ('gate' as const) : context.lastFailure,
      };
    }),
    recordMerge: assign(({ context, event }) => {
      const o = outputOf<MergeOutcome>(event);
      if (o?.status !== 'merged') return {};
      return { history: [...context.history, { kind: 'merged' as const, epoch: context.epoch, commit: o.commit }] };
    }),
    recordConflict: assign(({ context, event }) => {
      const o = outputOf<MergeOutcome>(event);
      if (o?.status !== 'conflict') return {};
      return {
        history: [...context.history, { kind: 'conflict' as const, epoch: context.epoch, files: o.files }],
        findings: o.files.map((file) => ({ message: `merge conflict: ${o.message}`, severity: 'error' as const, rule: 'merge_conflict', file })),
        lastFailure: 'conflict' as const,
      };
    }),
    startFixRound: assign(({ context }) => ({
      epoch: context.epoch + 1,
      fixRounds: context.fixRounds + 1,
      attemptsInEpoch: 0,
      retryGrants: 0,
      current: null,
      history: [
        ...context.history,
        { kind: 'fix' as const, epoch: context.epoch + 1, reason: context.lastFailure ?? ('gate' as const) },
      ],
    })),
    startIntegrationFix: assign(({ context, event }) => ({
      epoch: context.epoch + 1,
      integrationFixes: context.integrationFixes + 1,
      attemptsInEpoch: 0,
      retryGrants: 0,
      current: null,
      findings: event.type === 'FIX' ? event.findings : context.findings,
      history: [...context.history, { kind: 'fix' as const, epoch: context.epoch + 1, reason: 'integration' as const }],
    })),
    grantRetry: assign(({ context }) => ({
      retryGrants: context.retryGrants + 1,
      history: [...context.history, { kind: 'grant' as const, what: 'retry' as const }],
    })),
    grantResume: assign(({ context }) => ({
      history: [...context.history, { kind: 'grant' as const, what: 'resume' as const }],
    })),
    grantFix: assign(({ context }) => ({
      fixGrants: context.fixGrants + 1,
      history: [...context.history, { kind: 'grant' as const, what: 'fix' as const }],
    })),
    recordLateCompletion: assign(({ context, event }) =>
      event.type === 'COMPLETION_OBSERVED'
        ? { history: [...context.history, { kind: 'late_completion' as const, attemptId: event.attemptId, digest: event.digest }] }
        : {},
    ),
    /** The run's lease is gone under this step: the run blocks `lease_lost` (and holds its tasks); RELEASE after a retry runs the step again. */
    reportLeaseLost: sendParent(({ event }): TaskToRunEvent => ({ type: 'LEASE_LOST', message: errorMessageOf(event) })),
    reportDispatchRequest: sendParent(({ context }): TaskToRunEvent => ({ type: 'DISPATCH_REQUEST', taskId: context.taskId })),
    reportUsage: sendParent(({ context, event }): TaskToRunEvent => {
      const o = worker(event);
      const usage = o !== undefined && (o.kind === 'completion' || o.kind === 'invalid') ? o.usage : null;
      return { type: 'TASK_USAGE', taskId: context.taskId, attemptId: context.current?.attemptId ?? '', usage };
    }),
    /** An agent reviewer's spend counts like a worker's: the run checks it against the budget. */
    reportReviewUsage: enqueueActions(({ context, event, enqueue }) => {
      const g = gate(event);
      if (g?.usage === undefined) return;
      enqueue.sendParent({ type: 'TASK_USAGE', taskId: context.taskId, attemptId: context.current?.attemptId ?? '', usage: g.usage } satisfies TaskToRunEvent);
    }),
    reportPassed: sendParent(({ context }): TaskToRunEvent => ({
      type: 'TASK_PASSED',
      taskId: context.taskId,
      epoch: context.epoch,
      gates: context.gates.filter((g) => g.epoch === context.epoch),
    })),
    reportBlocked: enqueueActions(({ context, enqueue }) => {
      if (context.blocker === null) return;
      enqueue.sendParent({
        type: 'TASK_BLOCKED',
        taskId: context.taskId,
        blocker: context.blocker,
        allowedDecisions: context.allowedDecisions,
      } satisfies TaskToRunEvent);
    }),
  },
}).createMachine({
  id: 'task',
  description: 'One worker task of a run: dispatch, await completion, ingest once, verify, review, merge; fix rounds start a new epoch.',
  context: ({ input }) => ({
    runId: input.runId,
    taskId: input.taskId,
    limits: input.limits,
    epoch: 1,
    attemptCount: 0,
    attemptsInEpoch: 0,
    retryGrants: 0,
    fixRounds: 0,
    fixGrants: 0,
    integrationFixes: 0,
    current: null,
    history: [],
    gates: [],
    ingested: {},
    findings: [],
    lastFailure: null,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, unknownAttempts: 0 },
    blocker: null,
    allowedDecisions: [],
    resumeAt: null,
  }),
  initial: 'working',
  states: {
    working: {
      initial: 'requesting',
      on: {
        HOLD: { target: 'held' },
        STOP: { target: 'stopped' },
        COMPLETION_OBSERVED: [
          {
            guard: 'observedConflicting',
            target: 'blocked',
            actions: ['recordLateCompletion', { type: 'block', params: { code: 'completion_conflict', resume: 'attempt' } }],
          },
          { actions: 'recordLateCompletion' },
        ],
      },
      states: {
        requesting: {
          description: 'Waiting for the run to grant a dispatch (run-wide dispatch and spend budgets are checked there).',
          entry: 'reportDispatchRequest',
          on: { DISPATCH_GRANTED: { target: 'dispatching', actions: 'startAttempt' } },
        },
        dispatching: {
          description: "Record the dispatch intent durably, run the packet's setup commands in a new task worktree (once per epoch), then spawn the worker (re-attach if it already runs).",
          invoke: {
            id: 'dispatchWorker',
            src: 'dispatchWorker',
            input: ({ context }) => ({
              runId: context.runId,
              taskId: context.taskId,
              attempt: attemptOf(context),
              findings: context.findings,
            }),
            onDone: [
              {
                guard: 'workerUnavailable',
                target: '#task.blocked',
                actions: { type: 'block', params: { code: 'adapter_unavailable', resume: 'dispatch' } },
              },
              {
                guard: 'workspaceConflict',
                target: '#task.blocked',
                actions: { type: 'block', params: { code: 'integration_conflict', resume: 'dispatch' } },
              },
              {
                guard: 'setupFailed',
                target: '#task.blocked',
                actions: ['recordSetup', { type: 'block', params: { code: 'setup_failed', resume: 'dispatch' } }],
              },
              { target: 'awaiting', actions: ['recordSetup', 'markStarted'] },
            ],
            onError: [
              { guard: 'leaseLost', target: '#task.held', actions: 'reportLeaseLost' },
              { target: '#task.blocked', actions: { type: 'block', params: { code: 'internal_error', resume: 'dispatch' } } },
            ],
          },
        },
        awaiting: {
          description: "Wait for the completion file, the exit status, or a deadline (wall clock and heartbeat, kept in context); on a worker agent, for the job's result (the packet's setup ran there first).",
          invoke: {
            id: 'awaitCompletion',
            src: 'awaitCompletion',
            input: ({ context }) => ({
              runId: context.runId,
              taskId: context.taskId,
              attempt: attemptOf(context),
              heartbeatTimeoutSec: context.limits.heartbeatTimeoutSec,
            }),
            onDone: [
              {
                guard: 'agentSetupFailed',
                target: '#task.blocked',
                actions: ['ingestOutcome', { type: 'block', params: { code: 'setup_failed', resume: 'attempt' } }],
              },
              {
                guard: 'workerViolatedPolicy',
                target: '#task.blocked',
                actions: ['ingestOutcome', 'reportUsage', { type: 'block', params: { code: 'policy_denied', resume: 'attempt' } }],
              },
              { guard: 'completedOk', target: 'committing', actions: ['ingestOutcome', 'reportUsage'] },
              {
                guard: 'workerReportedBlocked',
                target: '#task.blocked',
                actions: ['ingestOutcome', 'reportUsage', { type: 'block', params: { code: 'worker_blocked', resume: 'attempt' } }],
              },
              { guard: 'attemptsRemain', target: 'requesting', actions: ['ingestOutcome', 'reportUsage'] },
              {
                guard: 'workerFailed',
                target: '#task.blocked',
                actions: ['ingestOutcome', 'reportUsage', { type: 'block', params: { code: 'retry_exhausted', resume: 'attempt' } }],
              },
              {
                guard: 'completionInvalid',
                target: '#task.blocked',
                actions: ['ingestOutcome', 'reportUsage', { type: 'block', params: { code: 'completion_invalid', resume: 'attempt' } }],
              },
              {
                guard: 'workerTimedOut',
                target: '#task.blocked',
                actions: ['ingestOutcome', 'reportUsage', { type: 'block', params: { code: 'worker_timeout', resume: 'attempt' } }],
              },
              {
                target: '#task.blocked',
                actions: ['ingestOutcome', 'reportUsage', { type: 'block', params: { code: 'completion_missing', resume: 'attempt' } }],
              },
            ],
            onError: [{ guard: 'leaseLost', target: '#task.held', actions: 'reportLeaseLost' }, { target: '#task.blocked', actions: { type: 'block', params: { code: 'internal_error', resume: 'await' } } }],
          },
        },
        committing: {
          description: "Commit what the attempt changed in the task's worktree as one commit: git's changed files, not the worker's claim; what setup made is left out.",
          invoke: {
            id: 'commitAttempt',
            src: 'commitAttempt',
            input: ({ context }) => ({
              runId: context.runId,
              taskId: context.taskId,
              attempt: attemptOf(context),
              summary: summaryOf(context),
            }),
            onDone: { target: 'verifying' },
            onError: [
              { guard: 'leaseLost', target: '#task.held', actions: 'reportLeaseLost' },
              { target: '#task.blocked', actions: { type: 'block', params: { code: 'internal_error', resume: 'commit' } } },
            ],
          },
        },
        verifying: {
          description: "Run the packet's setup, then its verification commands, in a clean checkout of the task's commit.",
          invoke: {
            id: 'runTaskVerification',
            src: 'runTaskVerification',
            input: stageInput,
            onDone: [
              {
                guard: 'policyViolated',
                target: '#task.blocked',
                actions: ['recordGate', { type: 'block', params: { code: 'policy_denied' } }],
              },
              { guard: 'gatePassed', target: 'reviewing', actions: 'recordGate' },
              { guard: 'gateFailed', target: 'fixing', actions: 'recordGate' },
              {
                guard: 'verificationSetupFailed',
                target: '#task.blocked',
                actions: ['recordGate', { type: 'block', params: { code: 'setup_failed', resume: 'verify' } }],
              },
              {
                target: '#task.blocked',
                actions: ['recordGate', { type: 'block', params: { code: 'verification_blocked', resume: 'verify' } }],
              },
            ],
            onError: [{ guard: 'leaseLost', target: '#task.held', actions: 'reportLeaseLost' }, { target: '#task.blocked', actions: { type: 'block', params: { code: 'internal_error', resume: 'verify' } } }],
          },
        },
        reviewing: {
          description: "Review the task's changes (built-in rules first, then the reviewer).",
          invoke: {
            id: 'runTaskReview',
            src: 'runTaskReview',
            input: stageInput,
            onDone: [
              {
                guard: 'policyViolated',
                target: '#task.blocked',
                actions: ['recordGate', 'reportReviewUsage', { type: 'block', params: { code: 'policy_denied' } }],
              },
              { guard: 'gatePassed', target: 'merging', actions: ['recordGate', 'reportReviewUsage'] },
              { guard: 'gateFailed', target: 'fixing', actions: ['recordGate', 'reportReviewUsage'] },
              {
                target: '#task.blocked',
                actions: ['recordGate', 'reportReviewUsage', { type: 'block', params: { code: 'review_blocked', resume: 'review' } }],
              },
            ],
            onError: [{ guard: 'leaseLost', target: '#task.held', actions: 'reportLeaseLost' }, { target: '#task.blocked', actions: { type: 'block', params: { code: 'internal_error', resume: 'review' } } }],
          },
        },
        merging: {
          description: "Merge the task's branch into the run branch (dependency order is kept by the scheduler).",
          invoke: {
            id: 'mergeTask',
            src: 'mergeTask',
            input: stageInput,
            onDone: [
              { guard: 'merged', target: 'passed', actions: 'recordMerge' },
              { target: 'fixing', actions: 'recordConflict' },
            ],
            onError: [{ guard: 'leaseLost', target: '#task.held', actions: 'reportLeaseLost' }, { target: '#task.blocked', actions: { type: 'block', params: { code: 'internal_error', resume: 'merge' } } }],
          },
        },
        fixing: {
          description: 'Transient: start a fix round (new epoch) if the budget allows, else block.',
          always: [
            { guard: 'fixRoundsRemain', target: 'requesting', actions: 'startFixRound' },
            {
              guard: 'lastFailureWasConflict',
              target: '#task.blocked',
              actions: { type: 'block', params: { code: 'integration_conflict', resume: 'fix' } },
            },
            { target: '#task.blocked', actions: { type: 'block', params: { code: 'fix_exhausted', resume: 'fix' } } },
          ],
        },
        passed: {
          description: 'Verified, reviewed and merged for the current epoch. A FIX from the run starts a new epoch.',
          entry: 'reportPassed',
          on: { FIX: { target: 'requesting', actions: 'startIntegrationFix' } },
        },
        hist: { type: 'history', history: 'deep' },
      },
    },
    held: {
      description: 'The run is paused or blocked (or a step found the run\'s lease gone and told the run): no effect runs; RELEASE returns to where the task was, or blocks it completion_conflict when a completion observed meanwhile differs from the one ingested.',
      on: {
        RELEASE: [
          {
            guard: 'conflictObservedWhileHeld',
            target: 'blocked',
            actions: { type: 'block', params: { code: 'completion_conflict', resume: 'attempt' } },
          },
          { target: 'working.hist' },
        ],
        STOP: { target: 'stopped' },
        COMPLETION_OBSERVED: { actions: 'recordLateCompletion' },
      },
    },
    blocked: {
      description: 'Fail-closed stop with a structured blocker; leaves only by a RETRY the run forwards from an operator decision.',
      entry: 'reportBlocked',
      on: {
        STOP: { target: 'stopped' },
        COMPLETION_OBSERVED: { actions: 'recordLateCompletion' },
        RETRY: [
          { guard: { type: 'resumeAt', params: { stage: 'attempt' } }, target: 'working.requesting', actions: ['clearBlocker', 'grantRetry'] },
          { guard: { type: 'resumeAt', params: { stage: 'dispatch' } }, target: 'working.dispatching', actions: ['clearBlocker', 'grantResume'] },
          { guard: { type: 'resumeAt', params: { stage: 'await' } }, target: 'working.awaiting', actions: ['clearBlocker', 'grantResume'] },
          { guard: { type: 'resumeAt', params: { stage: 'commit' } }, target: 'working.committing', actions: ['clearBlocker', 'grantResume'] },
          { guard: { type: 'resumeAt', params: { stage: 'verify' } }, target: 'working.verifying', actions: ['clearBlocker', 'grantResume'] },
          { guard: { type: 'resumeAt', params: { stage: 'review' } }, target: 'working.reviewing', actions: ['clearBlocker', 'grantResume'] },
          { guard: { type: 'resumeAt', params: { stage: 'merge' } }, target: 'working.merging', actions: ['clearBlocker', 'grantResume'] },
          { guard: { type: 'resumeAt', params: { stage: 'fix' } }, target: 'working.fixing', actions: ['clearBlocker', 'grantFix'] },
        ],
      },
    },
    stopped: { type: 'final', description: 'The run ended (cancelled or failed); the task does nothing more.' },
  },
});
