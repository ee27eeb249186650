// The run: intake → queued → preflight → leasing → implementing (spawned task
// children) → integration verification → review → (fix loop) → approval gates
// (a person's DECIDE, when the packet asks for one) → handoff → readyForReview. Paused returns to where it was; blocked leaves only through
// an operator decision the blocker allows. Pure configuration: effects are
// named actors/actions provided by the engine; `block`, `spawnReadyTasks` and the
// `allTasksPassed` guard are provided by src/machines/logic.ts (code table,
// scheduler, a memoised check over every task).
import { assign, enqueueActions, setup } from 'xstate';
import type { GateResult } from '../src/domain/gates.js';
import type {
  ApprovalOutcome,
  DecisionRecord,
  HandoffOutcome,
  IntakeOutcome,
  LeaseOutcome,
  PreflightOutcome,
  PrerequisiteOutcome,
  RunContext,
  RunEvent,
  RunInput,
  RunStepInput,
  ScopeOutcome,
} from './run.types.js';
import { addedUsage, gateGuards, gateOf as gate, leaseLost, notProvided, outputOf, slotValue, spawnedTaskIds, withSlots } from './shared.js';
import { taskChart } from './task.machine.js';
import type { BlockParams } from './task.types.js';

/** The id of a task's child actor inside a run. */
export const taskActorId = (taskId: string): string => `task:${taskId}`;

function spendExceeded(context: RunContext, extra: { inputTokens: number; outputTokens: number; costUsd: number } | null): boolean {
  const { budgetUsd, budgetTokens } = context.limits;
  const cost = context.usage.costUsd + (extra?.costUsd ?? 0);
  const tokens = context.usage.inputTokens + context.usage.outputTokens + (extra ? extra.inputTokens + extra.outputTokens : 0);
  if (budgetUsd !== undefined && cost > budgetUsd) return true;
  if (budgetTokens !== undefined && tokens > budgetTokens) return true;
  return false;
}
/** What every run-level effect is told: the run, its epoch, and how many retries operators granted (an agent reviewer's try number). */
const stepInput = ({ context }: { context: RunContext }): RunStepInput => ({
  runId: context.runId,
  epoch: context.epoch,
  retries: context.decisions.filter((d) => d.decision === 'retry').length,
});

/** A DECIDE naming the approval gate the run asks now (the first still waiting), with `verdict`, by someone the gate lets decide. */
function decidesAskedGate(context: RunContext, event: RunEvent, verdict: 'approve' | 'reject'): boolean {
  const asked = context.approvals?.pending[0];
  return event.type === 'DECIDE' && event.verdict === verdict && asked?.name === event.gate && (asked.by === undefined || asked.by.includes(event.by));
}

const hasSpendBudget = (context: RunContext) => context.limits.budgetUsd !== undefined || context.limits.budgetTokens !== undefined;

function decision(event: RunEvent, by: string | null = null): DecisionRecord | null {
  switch (event.type) {
    case 'UNBLOCK':
      return { decision: event.decision, by: event.by, reason: event.reason, blockerCode: null };
    case 'PAUSE':
      return { decision: 'pause', by: event.by, reason: event.reason, blockerCode: null };
    case 'RESUME':
      return { decision: 'resume', by: event.by, reason: event.reason, blockerCode: null };
    case 'CANCEL':
      return { decision: 'cancel', by: event.by, reason: event.reason, blockerCode: null };
    case 'DECIDE':
      return { decision: event.verdict, by: event.by, reason: event.reason, blockerCode: null, gate: event.gate };
    default:
      return by === null ? null : { decision: 'cancel', by, reason: '', blockerCode: null };
  }
}

/** Enqueue-only actions that message children; they enqueue no named actions (hence `never`). */
const messageChildren = (
  collect: Parameters<typeof enqueueActions<RunContext, RunEvent, undefined, RunEvent, never, never, never, never, never>>[0],
) => enqueueActions<RunContext, RunEvent, undefined, RunEvent, never, never, never, never, never>(collect);

function broadcast(type: 'HOLD' | 'RELEASE' | 'STOP') {
  return messageChildren(({ context, enqueue }) => {
    for (const taskId of spawnedTaskIds(context.tasks, context.taskEpochs)) enqueue.sendTo(taskActorId(taskId), { type });
  });
}

export const runChart = setup({
  types: {
    context: {} as RunContext,
    events: {} as RunEvent,
    input: {} as RunInput,
  },
  actors: {
    task: taskChart,
    checkIntake: notProvided<IntakeOutcome, RunStepInput>('checkIntake'),
    checkPrerequisites: notProvided<PrerequisiteOutcome, RunStepInput>('checkPrerequisites'),
    checkAdapters: notProvided<PreflightOutcome, RunStepInput>('checkAdapters'),
    acquireLease: notProvided<LeaseOutcome, RunStepInput>('acquireLease'),
    reacquireScope: notProvided<ScopeOutcome, RunStepInput>('reacquireScope'),
    runVerification: notProvided<GateResult, RunStepInput>('runVerification'),
    runReview: notProvided<GateResult, RunStepInput>('runReview'),
    performHandoff: notProvided<HandoffOutcome, RunStepInput>('performHandoff'),
    checkApprovals: notProvided<ApprovalOutcome, RunStepInput>('checkApprovals'),
  },
  guards: {
    leaseLost: ({ event }) => leaseLost({ event }),
    packetInsufficient: ({ event }) => outputOf<IntakeOutcome>(event)?.status === 'insufficient',
    approvalMismatch: ({ event }) => outputOf<IntakeOutcome>(event)?.status === 'tampered',
    prerequisitesReady: ({ event }) => outputOf<PrerequisiteOutcome>(event)?.status === 'ready',
    prerequisiteFailed: ({ event }) => outputOf<PrerequisiteOutcome>(event)?.status === 'failed',
    adaptersAvailable: ({ event }) => outputOf<PreflightOutcome>(event)?.status === 'ok',
    sandboxUnavailable: ({ event }) => outputOf<PreflightOutcome>(event)?.status === 'sandbox_unavailable',
    platformUnsupported: ({ event }) => outputOf<PreflightOutcome>(event)?.status === 'platform_unsupported',
    leaseAcquired: ({ event }) => outputOf<LeaseOutcome>(event)?.status === 'acquired',
    setupFailed: ({ event }) => outputOf<LeaseOutcome>(event)?.status === 'setup_failed',
    /** Verification did not run: setup failed in its fresh checkout (a BLOCKED gate with a `setup_failed` finding). */
    verificationSetupFailed: ({ event }) => gateGuards.verificationSetupFailed({ event }),
    // Provided by src/machines/logic.ts (asked after every event, so it is computed there with a memo).
    allTasksPassed: (_args) => {
      throw new Error('buran: guard "allTasksPassed" was not provided');
    },
    dispatchAllowed: ({ context }) =>
      context.dispatches < context.limits.maxDispatches &&
      !spendExceeded(context, null) &&
      !(hasSpendBudget(context) && context.usage.unknownAttempts > 0),
    gateUsageExceedsBudget: ({ context, event }) => {
      const usage = gate(event)?.usage;
      return usage !== undefined && (spendExceeded(context, usage) || (hasSpendBudget(context) && (usage === null || usage.unknownAttempts > 0)));
    },
    usageExceedsBudget: ({ context, event }) =>
      event.type === 'TASK_USAGE' &&
      (spendExceeded(context, event.usage) || (hasSpendBudget(context) && (event.usage === null || event.usage.unknownAttempts > 0))),
    passedAtCurrentEpoch: ({ context, event }) =>
      event.type === 'TASK_PASSED' &&
      slotValue(context.tasks, context.progress, event.taskId) === 'running' &&
      event.epoch >= (slotValue(context.tasks, context.taskEpochs, event.taskId) ?? 1) &&
      event.gates.some((g) => g.gate === 'verification' && g.status === 'PASS' && g.epoch === event.epoch) &&
      event.gates.some((g) => g.gate === 'review' && g.status === 'PASS' && g.epoch === event.epoch),
    gatePassed: ({ event }) => gateGuards.gatePassed({ event }),
    gateFailed: ({ event }) => gateGuards.gateFailed({ event }),
    policyViolated: ({ event }) => gateGuards.policyViolated({ event }),
    fixRoundsRemain: ({ context }) => context.fixRounds < context.limits.maxFixRounds + context.fixGrants,
    deadlinePassed: ({ context, event }) => event.type === 'RUN_DEADLINE' && context.deadlineAt !== null && event.now >= context.deadlineAt,
    handoffDone: ({ event }) => outputOf<HandoffOutcome>(event)?.status === 'done',
    mayCancel: ({ context, event }) =>
      event.type === 'UNBLOCK' && event.decision === 'cancel' && context.allowedDecisions.includes('cancel'),
    mayAbandon: ({ context, event }) =>
      event.type === 'UNBLOCK' && event.decision === 'abandon' && context.allowedDecisions.includes('abandon'),
    /** Blocked before the run took its lease: whatever it retries passes through leasing, which takes the scope. */
    mayRetryBeforeLease: ({ context, event }) =>
      event.type === 'UNBLOCK' && event.decision === 'retry' && context.allowedDecisions.includes('retry') && context.lease === null,
    scopeHeldElsewhere: ({ event }) => outputOf<ScopeOutcome>(event)?.status !== 'acquired',
    // Which retry `reclaiming` carries out, from what was recorded when it was decided (context only).
    retryingTask: ({ context }) => (context.retrying?.taskId ?? null) !== null,
    retryingFix: ({ context }) => context.retrying?.code === 'fix_exhausted',
    retryingLease: ({ context }) => context.retrying?.code === 'lease_lost',
    approvalsPending: ({ event }) => (outputOf<ApprovalOutcome>(event)?.pending.length ?? 0) > 0,
    /** A DECIDE for the gate asked now (the first still waiting) with this verdict; a gate's `onReject` picks the rejection's way. */
    approvesLastGate: ({ context, event }) => decidesAskedGate(context, event, 'approve') && context.approvals?.pending.length === 1,
    approvesGate: ({ context, event }) => decidesAskedGate(context, event, 'approve'),
    rejectsForFix: ({ context, event }) => decidesAskedGate(context, event, 'reject') && context.approvals?.pending[0]?.onReject === 'fix',
    rejectsToEnd: ({ context, event }) => decidesAskedGate(context, event, 'reject') && context.approvals?.pending[0]?.onReject === 'end',
    mayRetry: ({ context, event }) =>
      event.type === 'UNBLOCK' && event.decision === 'retry' && context.allowedDecisions.includes('retry'),
  },
  actions: {
    /** Provided by src/machines/logic.ts: builds the structured blocker from the code table. */
    block: (_args, _params: BlockParams) => {
      throw new Error('buran: action "block" was not provided');
    },
    /** Provided by src/machines/logic.ts: asks the pure scheduler which tasks may start and spawns / re-fixes them. */
    spawnReadyTasks: () => {
      throw new Error('buran: action "spawnReadyTasks" was not provided');
    },
    /** Effect hooks the engine may provide; they must be idempotent. */
    releaseLease: () => {},
    /** Frees the run's cross-run scope locks (entering blocked): another run may take the floor while a person decides. */
    releaseScope: () => {},
    cancelWorkers: () => {},
    clearBlocker: assign({ blocker: null, blockedTaskId: null, allowedDecisions: [], retrying: null }),
    /** The retry in hand, kept across a failed re-take of the scope (the first retry's target wins). */
    rememberRetry: assign(({ context }) => ({
      retrying: context.retrying ?? (context.blocker === null ? null : { code: context.blocker.code, taskId: context.blockedTaskId }),
    })),
    recordDecision: assign(({ context, event }) => {
      const d = decision(event);
      return d === null ? {} : { decisions: [...context.decisions, { ...d, blockerCode: context.blocker?.code ?? null }] };
    }),
    recordWaiting: assign(({ event }) => {
      const o = outputOf<PrerequisiteOutcome>(event);
      return o?.status === 'waiting' ? { waitingFor: o.waitingFor } : {};
    }),
    clearWaiting: assign({ waitingFor: null }),
    recordApprovals: assign(({ context, event }) => {
      const o = outputOf<ApprovalOutcome>(event);
      return o === undefined ? {} : { approvals: { epoch: context.epoch, pending: o.pending, skipped: o.skipped, approved: [] } };
    }),
    /** The decision with the epoch it was taken at (decisions are append-only). */
    recordApprovalDecision: assign(({ context, event }) => {
      const d = decision(event);
      return d === null ? {} : { decisions: [...context.decisions, { ...d, epoch: context.epoch }] };
    }),
    passApprovalGate: assign(({ context }) => {
      const a = context.approvals;
      if (a === null || a === undefined || a.pending[0] === undefined) return {};
      return { approvals: { ...a, pending: a.pending.slice(1), approved: [...a.approved, a.pending[0].name] } };
    }),
    /** The rejection's reason becomes the finding the integration fix round works on. */
    recordRejection: assign(({ event }) => {
      if (event.type !== 'DECIDE') return {};
      return { findings: [{ message: `approval gate ${event.gate} rejected by ${event.by}: ${event.reason}`, severity: 'error' as const, rule: 'approval_rejected' }] };
    }),
    recordLease: assign(({ event }) => {
      const o = outputOf<LeaseOutcome>(event);
      return o?.status === 'acquired' ? { lease: o.lease } : {};
    }),
    recordHandoff: assign(({ event }) => {
      const o = outputOf<HandoffOutcome>(event);
      return o?.status === 'done' ? { handoff: o.handoff } : {};
    }),
    recordGate: assign(({ context, event }) => {
      const g = gate(event);
      if (g === undefined) return {};
      return {
        gates: [...context.gates, { gate: g.gate, epoch: context.epoch, status: g.status, evidence: g.evidence, ...(g.reviewers === undefined ? {} : { reviewers: g.reviewers }), ...(g.quorum === undefined ? {} : { quorum: g.quorum }) }],
        findings: g.status === 'FAIL' ? [...g.findings, ...g.policyViolations] : context.findings,
      };
    }),
    grantDispatch: messageChildren(({ context, event, enqueue }) => {
      if (event.type !== 'DISPATCH_REQUEST' || (slotValue(context.tasks, context.taskEpochs, event.taskId) ?? null) === null) return;
      enqueue.assign({ dispatches: context.dispatches + 1 });
      enqueue.sendTo(taskActorId(event.taskId), { type: 'DISPATCH_GRANTED' });
    }),
    /** The integration review's agent reviewer spend (absent for the built-in reviewer). */
    addGateUsage: assign(({ context, event }) => {
      const usage = gate(event)?.usage;
      if (usage === undefined) return {};
      return { usage: addedUsage(context.usage, usage) };
    }),
    addUsage: assign(({ context, event }) => {
      if (event.type !== 'TASK_USAGE') return {};
      return { usage: addedUsage(context.usage, event.usage) };
    }),
    recordTaskPassed: assign(({ context, event }) => {
      if (event.type !== 'TASK_PASSED') return {};
      // The latest verdict of the epoch: a gate that blocked and was retried at the same epoch is recorded twice.
      const verification = event.gates.findLast((g) => g.gate === 'verification' && g.epoch === event.epoch)?.status ?? 'BLOCKED';
      const review = event.gates.findLast((g) => g.gate === 'review' && g.epoch === event.epoch)?.status ?? 'BLOCKED';
      return {
        progress: withSlots(context.tasks, context.progress, [[event.taskId, 'done' as const]]),
        taskGates: withSlots(context.tasks, context.taskGates, [[event.taskId, { epoch: event.epoch, verification, review }]]),
      };
    }),
    recordTaskBlocked: assign(({ context, event }) => {
      if (event.type !== 'TASK_BLOCKED') return {};
      return {
        progress: withSlots(context.tasks, context.progress, [[event.taskId, 'blocked' as const]]),
        blocker: { ...event.blocker, details: { ...event.blocker.details, taskId: event.taskId } },
        blockedTaskId: event.taskId,
        allowedDecisions: event.allowedDecisions,
      };
    }),
    retryBlockedTask: messageChildren(({ context, enqueue }) => {
      const taskId = context.retrying?.taskId ?? context.blockedTaskId;
      if (taskId === null || (slotValue(context.tasks, context.taskEpochs, taskId) ?? null) === null) return;
      enqueue.assign({ progress: withSlots(context.tasks, context.progress, [[taskId, 'running' as const]]) });
      enqueue.sendTo(taskActorId(taskId), { type: 'RETRY' });
    }),
    holdTasks: broadcast('HOLD'),
    releaseTasks: broadcast('RELEASE'),
    stopTasks: broadcast('STOP'),
    grantFixRound: assign(({ context }) => ({ fixGrants: context.fixGrants + 1 })),
    startFixRound: assign(({ context }) => {
      const known = new Set(context.tasks.map((t) => t.id));
      const named = [...new Set(context.findings.map((f) => f.taskId).filter((id): id is string => id !== undefined && known.has(id)))];
      const dependedOn = new Set(context.tasks.flatMap((t) => t.dependsOn));
      const targets = named.length > 0 ? named : context.tasks.filter((t) => !dependedOn.has(t.id)).map((t) => t.id);
      const progress = withSlots(context.tasks, context.progress, targets.map((id) => [id, 'pending' as const]));
      // Only a spawned task can be asked for a fix; an unspawned one simply starts fresh when ready.
      const taskEpochs = withSlots(
        context.tasks,
        context.taskEpochs,
        targets.flatMap((id) => {
          const epoch = slotValue(context.tasks, context.taskEpochs, id) ?? null;
          return epoch === null ? [] : [[id, (slotValue(context.tasks, context.taskGates, id)?.epoch ?? epoch) + 1] as const];
        }),
      );
      const fixFindings = { ...context.fixFindings };
      for (const id of targets) fixFindings[id] = context.findings.filter((f) => f.taskId === undefined || f.taskId === id);
      return { epoch: context.epoch + 1, fixRounds: context.fixRounds + 1, progress, taskEpochs, fixFindings };
    }),
  },
}).createMachine({
  id: 'run',
  description: 'One run of an approved packet: ends handoff-ready with evidence, or blocked with a reason and the next safe action.',
  context: ({ input }) => ({
    runId: input.runId,
    approvedHash: input.approvedHash,
    tasks: input.tasks,
    limits: input.limits,
    deadlineAt: input.deadlineAt ?? null,
    epoch: 1,
    fixRounds: 0,
    fixGrants: 0,
    dispatches: 0,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, unknownAttempts: 0 },
    progress: input.tasks.map(() => 'pending' as const),
    taskEpochs: input.tasks.map(() => null),
    taskGates: input.tasks.map(() => null),
    fixFindings: {},
    gates: [],
    findings: [],
    lease: null,
    handoff: null,
    blocker: null,
    blockedTaskId: null,
    allowedDecisions: [],
    decisions: [],
    retrying: null,
    waitingFor: null,
    approvals: null,
  }),
  initial: 'active',
  states: {
    active: {
      tags: ['status:running'],
      on: {
        PAUSE: { target: 'paused', actions: ['recordDecision', 'holdTasks'] },
        CANCEL: { target: 'cancelled', actions: 'recordDecision' },
        LEASE_LOST: { target: 'blocked', actions: { type: 'block', params: { code: 'lease_lost' } } },
        RUN_DEADLINE: { guard: 'deadlinePassed', target: 'blocked', actions: [{ type: 'block', params: { code: 'budget_exhausted' } }, 'cancelWorkers'] },
      },
      initial: 'intake',
      states: {
        intake: {
          tags: ['status:queued'],
          description: 'Check the packet is sufficient and still hashes to what was approved.',
          invoke: {
            id: 'checkIntake',
            src: 'checkIntake',
            input: stepInput,
            onDone: [
              { guard: 'packetInsufficient', target: '#run.blocked', actions: { type: 'block', params: { code: 'plan_insufficient' } } },
              { guard: 'approvalMismatch', target: '#run.blocked', actions: { type: 'block', params: { code: 'packet_tampered' } } },
              { target: 'queued' },
            ],
            onError: { target: '#run.blocked', actions: { type: 'block', params: { code: 'internal_error' } } },
          },
        },
        queued: {
          tags: ['status:queued'],
          description: 'Approved and waiting for a driver (`buran run`).',
          on: { START: { target: 'prerequisites' } },
        },
        prerequisites: {
          tags: ['status:queued'],
          description: "A stacked run (packet `after`) checks its prerequisite run: handoff-ready (and its branch still at the handoff commit) → go on from that commit; still on its way → wait; blocked, cancelled, failed or moved → prerequisite_failed. A run without prerequisites goes straight on.",
          invoke: {
            id: 'checkPrerequisites',
            src: 'checkPrerequisites',
            input: stepInput,
            onDone: [
              { guard: 'prerequisitesReady', target: 'preflight', actions: 'clearWaiting' },
              { guard: 'prerequisiteFailed', target: '#run.blocked', actions: ['clearWaiting', { type: 'block', params: { code: 'prerequisite_failed' } }] },
              { target: 'waiting', actions: 'recordWaiting' },
            ],
            onError: { target: '#run.blocked', actions: { type: 'block', params: { code: 'internal_error' } } },
          },
        },
        waiting: {
          tags: ['status:waiting'],
          description: 'Waiting for the prerequisite run to be handoff-ready (status waiting); nothing is leased. Each driver (`buran run`) checks again.',
          on: { START: { target: 'prerequisites' } },
        },
        preflight: {
          description: 'Check this system can track processes (its process table), the sandbox the policy asks for can be set up and the worker and reviewer adapters are available, before anything is leased or spawned.',
          invoke: {
            id: 'checkAdapters',
            src: 'checkAdapters',
            input: stepInput,
            onDone: [
              { guard: 'adaptersAvailable', target: 'leasing' },
              { guard: 'sandboxUnavailable', target: '#run.blocked', actions: { type: 'block', params: { code: 'sandbox_unavailable' } } },
              { guard: 'platformUnsupported', target: '#run.blocked', actions: { type: 'block', params: { code: 'platform_unsupported' } } },
              { target: '#run.blocked', actions: { type: 'block', params: { code: 'adapter_unavailable' } } },
            ],
            onError: { target: '#run.blocked', actions: { type: 'block', params: { code: 'internal_error' } } },
          },
        },
        leasing: {
          description: "Lease the run worktree and lock the scope (conflict surface) against other runs; run the packet's setup commands in the run worktree (once).",
          invoke: {
            id: 'acquireLease',
            src: 'acquireLease',
            input: stepInput,
            onDone: [
              { guard: 'leaseAcquired', target: 'implementing', actions: 'recordLease' },
              { guard: 'setupFailed', target: '#run.blocked', actions: { type: 'block', params: { code: 'setup_failed' } } },
              { target: '#run.blocked', actions: { type: 'block', params: { code: 'lease_conflict' } } },
            ],
            onError: { target: '#run.blocked', actions: { type: 'block', params: { code: 'internal_error' } } },
          },
        },
        implementing: {
          description: 'Spawn a task child for each task the scheduler says is ready; grant dispatches within budget.',
          entry: ['releaseTasks', 'spawnReadyTasks'],
          always: { guard: 'allTasksPassed', target: 'verifying' },
          on: {
            DISPATCH_REQUEST: [
              { guard: 'dispatchAllowed', actions: 'grantDispatch' },
              { target: '#run.blocked', actions: [{ type: 'block', params: { code: 'budget_exhausted' } }, 'cancelWorkers'] },
            ],
            TASK_USAGE: [
              { guard: 'usageExceedsBudget', target: '#run.blocked', actions: ['addUsage', { type: 'block', params: { code: 'budget_exhausted' } }, 'cancelWorkers'] },
              { actions: 'addUsage' },
            ],
            TASK_PASSED: { guard: 'passedAtCurrentEpoch', actions: ['recordTaskPassed', 'spawnReadyTasks'] },
            TASK_BLOCKED: { target: '#run.blocked', actions: 'recordTaskBlocked' },
          },
        },
        verifying: {
          description: "Integration verification: the packet's setup, then its verification commands, in a clean checkout of the run branch.",
          invoke: {
            id: 'runVerification',
            src: 'runVerification',
            input: stepInput,
            onDone: [
              { guard: 'policyViolated', target: '#run.blocked', actions: ['recordGate', { type: 'block', params: { code: 'policy_denied' } }] },
              { guard: 'gatePassed', target: 'reviewing', actions: 'recordGate' },
              { guard: 'gateFailed', target: 'fixing', actions: 'recordGate' },
              { guard: 'verificationSetupFailed', target: '#run.blocked', actions: ['recordGate', { type: 'block', params: { code: 'setup_failed' } }] },
              { target: '#run.blocked', actions: ['recordGate', { type: 'block', params: { code: 'verification_blocked' } }] },
            ],
            onError: [{ guard: 'leaseLost', target: '#run.blocked', actions: { type: 'block', params: { code: 'lease_lost' } } }, { target: '#run.blocked', actions: { type: 'block', params: { code: 'internal_error' } } }],
          },
        },
        reviewing: {
          description: "Internal review of the run branch's whole change.",
          invoke: {
            id: 'runReview',
            src: 'runReview',
            input: stepInput,
            onDone: [
              { guard: 'gateUsageExceedsBudget', target: '#run.blocked', actions: ['recordGate', 'addGateUsage', { type: 'block', params: { code: 'budget_exhausted' } }] },
              { guard: 'policyViolated', target: '#run.blocked', actions: ['recordGate', 'addGateUsage', { type: 'block', params: { code: 'policy_denied' } }] },
              { guard: 'gatePassed', target: 'approvals', actions: ['recordGate', 'addGateUsage'] },
              { guard: 'gateFailed', target: 'fixing', actions: ['recordGate', 'addGateUsage'] },
              { target: '#run.blocked', actions: ['recordGate', 'addGateUsage', { type: 'block', params: { code: 'review_blocked' } }] },
            ],
            onError: [{ guard: 'leaseLost', target: '#run.blocked', actions: { type: 'block', params: { code: 'lease_lost' } } }, { target: '#run.blocked', actions: { type: 'block', params: { code: 'internal_error' } } }],
          },
        },
        fixing: {
          description: 'Transient: start an integration fix round (new epoch) if the budget allows, else block.',
          always: [
            { guard: 'fixRoundsRemain', target: 'implementing', actions: 'startFixRound' },
            { target: '#run.blocked', actions: { type: 'block', params: { code: 'fix_exhausted' } } },
          ],
        },
        approvals: {
          description: "Which approval gates (packet policy.approvals) apply to the run's change at this epoch: a gate whose when.paths match none of the changed files is skipped (recorded). None left → handoff.",
          invoke: {
            id: 'checkApprovals',
            src: 'checkApprovals',
            input: stepInput,
            onDone: [
              { guard: 'approvalsPending', target: 'awaitingApproval', actions: 'recordApprovals' },
              { target: 'handoff', actions: 'recordApprovals' },
            ],
            onError: [{ guard: 'leaseLost', target: '#run.blocked', actions: { type: 'block', params: { code: 'lease_lost' } } }, { target: '#run.blocked', actions: { type: 'block', params: { code: 'internal_error' } } }],
          },
        },
        awaitingApproval: {
          tags: ['status:waiting'],
          description: 'Waits for a person to decide the first approval gate still waiting (buran decide); nothing runs. Approve → the next gate or handoff; reject → an integration fix round with the reason as a finding (onReject fix) or the run ends failed (onReject end).',
          on: {
            DECIDE: [
              { guard: 'approvesLastGate', target: 'handoff', actions: ['recordApprovalDecision', 'passApprovalGate'] },
              { guard: 'approvesGate', actions: ['recordApprovalDecision', 'passApprovalGate'] },
              { guard: 'rejectsForFix', target: 'fixing', actions: ['recordApprovalDecision', 'recordRejection'] },
              { guard: 'rejectsToEnd', target: '#run.failed', actions: 'recordApprovalDecision' },
            ],
          },
        },
        handoff: {
          description: 'Final commit on the run branch, the report, and a pull request only when policy enables it.',
          invoke: {
            id: 'performHandoff',
            src: 'performHandoff',
            input: stepInput,
            onDone: [
              { guard: 'handoffDone', target: '#run.readyForReview', actions: 'recordHandoff' },
              { target: '#run.blocked', actions: { type: 'block', params: { code: 'handoff_failed' } } },
            ],
            onError: [{ guard: 'leaseLost', target: '#run.blocked', actions: { type: 'block', params: { code: 'lease_lost' } } }, { target: '#run.blocked', actions: { type: 'block', params: { code: 'internal_error' } } }],
          },
        },
        hist: { type: 'history', history: 'deep' },
      },
    },
    paused: {
      tags: ['status:paused'],
      description: 'Paused by an operator: no effect runs; RESUME returns to where the run was.',
      on: {
        RESUME: { target: 'active.hist', actions: 'recordDecision' },
        CANCEL: { target: 'cancelled', actions: 'recordDecision' },
        LEASE_LOST: { target: 'blocked', actions: { type: 'block', params: { code: 'lease_lost' } } },
        TASK_USAGE: { actions: 'addUsage' },
        TASK_BLOCKED: { target: 'blocked', actions: 'recordTaskBlocked' },
      },
    },
    blocked: {
      tags: ['status:blocked'],
      description: 'Fail-closed stop with a structured blocker; its scope locks are released (other runs may take the floor). Leaves only through an operator decision the blocker allows.',
      entry: ['holdTasks', 'releaseScope'],
      on: {
        UNBLOCK: [
          { guard: 'mayCancel', target: 'cancelled', actions: 'recordDecision' },
          { guard: 'mayAbandon', target: 'failed', actions: 'recordDecision' },
          { guard: 'mayRetryBeforeLease', target: 'active.hist', actions: ['recordDecision', 'clearBlocker'] },
          { guard: 'mayRetry', target: 'reclaiming', actions: ['recordDecision', 'rememberRetry'] },
        ],
        CANCEL: { target: 'cancelled', actions: 'recordDecision' },
        TASK_USAGE: { actions: 'addUsage' },
      },
    },
    reclaiming: {
      tags: ['status:running'],
      description: 'A retry was decided: re-take the scope locks released when the run blocked, before anything runs again; a run holding an overlapping scope now blocks this one with lease_conflict naming it.',
      invoke: {
        id: 'reacquireScope',
        src: 'reacquireScope',
        input: stepInput,
        onDone: [
          { guard: 'scopeHeldElsewhere', target: 'blocked', actions: { type: 'block', params: { code: 'lease_conflict' } } },
          { guard: 'retryingTask', target: 'active.hist', actions: ['retryBlockedTask', 'clearBlocker'] },
          { guard: 'retryingFix', target: 'active.fixing', actions: ['clearBlocker', 'grantFixRound'] },
          { guard: 'retryingLease', target: 'active.leasing', actions: 'clearBlocker' },
          { target: 'active.hist', actions: 'clearBlocker' },
        ],
        onError: { target: 'blocked', actions: { type: 'block', params: { code: 'internal_error' } } },
      },
      on: {
        CANCEL: { target: 'cancelled', actions: 'recordDecision' },
        TASK_USAGE: { actions: 'addUsage' },
      },
    },
    readyForReview: {
      type: 'final',
      tags: ['status:handoff_ready'],
      description: 'Handoff-ready: every task and the integration passed verification and review for the current epoch.',
      entry: 'releaseLease',
    },
    cancelled: { type: 'final', tags: ['status:cancelled'], description: 'Stopped by an operator.', entry: ['stopTasks', 'cancelWorkers', 'releaseLease'] },
    failed: { type: 'final', tags: ['status:failed'], description: 'Closed as failed by an operator decision.', entry: ['stopTasks', 'cancelWorkers', 'releaseLease'] },
  },
});
