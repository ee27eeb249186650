// The in-memory twin of the effects port: every effect answers from a script
// (defaults: everything passes). Used by tests and by hosts that want to see
// the charts move without workers, git or processes.
import type { ApprovalOutcome, PrerequisiteOutcome, RunStepInput, ScopeOutcome } from '../../machines/run.types.js';
import type { AwaitInput, TaskGateInput, WorkerOutcome } from '../../machines/task.types.js';
import type { GateResult } from '../domain/gates.js';
import { SETUP_FAILED_RULE, type SetupRecord } from '../domain/setup.js';
import type { RunEffects } from './effects.js';

export interface EffectCall {
  readonly effect: keyof RunEffects;
  readonly input: unknown;
}

export interface Script {
  /** Outcome of each attempt, by attempt id; default: a completed, valid completion. */
  readonly worker?: (input: AwaitInput) => WorkerOutcome | Promise<WorkerOutcome>;
  readonly taskVerification?: (input: TaskGateInput) => GateResult['status'];
  readonly integrationVerification?: (input: RunStepInput) => GateResult['status'];
  readonly now?: () => number;
  /**
   * The packet's setup in each place (`task <id>`, `run`, `verify task-<id>`, `verify run`): 'ok', 'failed', or
   * undefined for no setup there. Default: no setup anywhere.
   */
  readonly setup?: (where: string, input: unknown) => 'ok' | 'failed' | undefined;
  /** The prerequisite runs' check; default: ready (no prerequisites). */
  readonly prerequisites?: (input: RunStepInput) => PrerequisiteOutcome;
  /** Re-taking the scope after a retry; default: acquired. */
  readonly reacquireScope?: (input: RunStepInput) => ScopeOutcome;
  /** The approval gates that apply after the integration review; default: none. */
  readonly approvals?: (input: RunStepInput) => ApprovalOutcome;
}

const setupRecord = (where: string, status: 'ok' | 'failed'): SetupRecord => ({
  where,
  status,
  commands: [{ argv: ['setup'], exitCode: status === 'ok' ? 0 : 1, timedOut: false, durationMs: 1, evidence: `sha256:${'0'.repeat(64)}` }],
});

const gateResult = (gate: GateResult['gate'], subject: GateResult['subject'], epoch: number, status: GateResult['status'], taskId?: string): GateResult => ({
  gate,
  subject,
  epoch,
  status,
  summary: `${subject} ${gate} ${status}`,
  findings: status === 'FAIL' ? [{ message: `${gate} failed`, severity: 'error', ...(taskId === undefined ? {} : { taskId }) }] : [],
  policyViolations: [],
  evidence: [],
  ...(taskId === undefined ? {} : { taskId }),
});

/**
 * Scripted effects plus the log of every call made (to assert exactly-once behaviour).
 * @example
 * const effects = createScriptedEffects({ integrationVerification: (i) => (i.epoch === 1 ? 'FAIL' : 'PASS') });
 * const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects });
 * // effects.calls lists every effect the run asked for, in order
 */
export function createScriptedEffects(script: Script = {}): RunEffects & { readonly calls: EffectCall[] } {
  const calls: EffectCall[] = [];
  const now = script.now ?? (() => 0);
  const log = <T>(effect: keyof RunEffects, input: unknown, value: T): Promise<T> => {
    calls.push({ effect, input });
    return Promise.resolve(value);
  };
  const setupIn = (where: string, input: unknown) => script.setup?.(where, input);
  const failedSetup = (where: string) => ({ status: 'setup_failed' as const, message: `setup command ["setup"] failed in ${where} (exit code 1)`, details: { where }, setup: setupRecord(where, 'failed') });
  const verification = (subject: GateResult['subject'], where: string, input: { epoch: number; taskId?: string }, status: GateResult['status']): GateResult => {
    if (setupIn(where, input) !== 'failed') return gateResult('verification', subject, input.epoch, status, input.taskId);
    const taskId = input.taskId === undefined ? {} : { taskId: input.taskId };
    return { ...gateResult('verification', subject, input.epoch, 'BLOCKED', input.taskId), findings: [{ message: `setup failed in ${where}`, severity: 'error', rule: SETUP_FAILED_RULE, ...taskId }] };
  };
  return {
    calls,
    checkIntake: (input) => log('checkIntake', input, { status: 'ok' as const }),
    checkPrerequisites: (input) => log('checkPrerequisites', input, script.prerequisites?.(input) ?? { status: 'ready' as const }),
    checkAdapters: (input) => log('checkAdapters', input, { status: 'ok' as const }),
    acquireLease: (input) => {
      const setup = setupIn('run', input);
      if (setup === 'failed') return log('acquireLease', input, failedSetup('run'));
      return log('acquireLease', input, { status: 'acquired' as const, lease: { branch: `buran/${input.runId}`, worktree: '(memory)', baseCommit: '0000000' }, ...(setup === 'ok' ? { setup: setupRecord('run', 'ok') } : {}) });
    },
    reacquireScope: (input) => log('reacquireScope', input, script.reacquireScope?.(input) ?? { status: 'acquired' as const }),
    dispatchWorker: (input) => {
      const where = `task ${input.taskId}`;
      const setup = setupIn(where, input);
      if (setup === 'failed') return log('dispatchWorker', input, failedSetup(where));
      return log('dispatchWorker', input, { status: 'started' as const, startedAt: now(), pid: null, ...(setup === 'ok' ? { setup: setupRecord(where, 'ok') } : {}) });
    },
    awaitCompletion: async (input) => {
      calls.push({ effect: 'awaitCompletion', input });
      return script.worker !== undefined
        ? await script.worker(input)
        : { kind: 'completion', status: 'completed', digest: `sha256:${input.attempt.attemptId}`, summary: 'done', changedFiles: [], usage: null };
    },
    commitAttempt: (input) => log('commitAttempt', input, { status: 'committed' as const, commit: `commit-${input.attempt.attemptId}`, changedFiles: [] }),
    runTaskVerification: (input) => log('runTaskVerification', input, verification('task', `verify task-${input.taskId}`, input, script.taskVerification?.(input) ?? 'PASS')),
    runTaskReview: (input) => log('runTaskReview', input, gateResult('review', 'task', input.epoch, 'PASS', input.taskId)),
    mergeTask: (input) => log('mergeTask', input, { status: 'merged' as const, commit: `merge-${input.taskId}-${input.epoch}` }),
    runVerification: (input) => log('runVerification', input, verification('integration', 'verify run', input, script.integrationVerification?.(input) ?? 'PASS')),
    runReview: (input) => log('runReview', input, gateResult('review', 'integration', input.epoch, 'PASS')),
    checkApprovals: (input) => log('checkApprovals', input, script.approvals?.(input) ?? { pending: [], skipped: [] }),
    performHandoff: (input) => log('performHandoff', input, { status: 'done' as const, handoff: { branch: `buran/${input.runId}`, commit: 'handoff', reportHash: 'sha256:' + '0'.repeat(64), pullRequest: null } }),
    releaseLease: (runId) => log('releaseLease', runId, undefined),
    releaseScope: (runId) => log('releaseScope', runId, undefined),
    cancelWorkers: (runId) => log('cancelWorkers', runId, undefined),
  };
}
