// Model definitions for the walks: small inputs, the events each state can
// receive (with the payloads guards read), and stubbed effects.
import { slotValue } from '../../../machines/shared.js';
import { fromPromise, type EventObject } from 'xstate';
import type { RunContext, RunInput } from '../../../machines/run.types.js';
import type { TaskContext, TaskInput } from '../../../machines/task.types.js';
import type { GateResult } from '../../../src/domain/gates.js';
import { makeBlocker } from '../../../src/domain/blockers.js';
import { BuranError } from '../../../src/domain/errors.js';

interface Snap<C> {
  readonly value: unknown;
  readonly context: C;
}

/** An effect that never settles: in a replay, only the events the path sends move the chart. */
export const pending = <TOutput, TInput>() => fromPromise<TOutput, TInput>(() => new Promise<TOutput>(() => undefined));


const done = (id: string, output: unknown): EventObject => ({ type: `xstate.done.actor.${id}`, output }) as EventObject;
const failed = (id: string): EventObject => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} crashed`) }) as EventObject;
/** The effect found the run's workspace lease gone (its branch or worktree deleted under it). */
const leaseGone = (id: string): EventObject => ({ type: `xstate.error.actor.${id}`, error: new BuranError({ code: 'lease_lost', message: `${id}: the run branch is gone` }) }) as EventObject;

const setupRecord = (where: string) => ({ where, status: 'failed', commands: [{ argv: ['npm', 'ci'], exitCode: 1, timedOut: false, durationMs: 5, evidence: 'sha256:' + '3'.repeat(64) }] });

function gateResult(gate: 'verification' | 'review', subject: 'task' | 'integration', epoch: number, status: GateResult['status'], opts: { policy?: boolean; taskId?: string; setupFailed?: boolean } = {}): GateResult {
  const finding = { message: `${gate} found a problem`, severity: 'error' as const, ...(opts.taskId === undefined ? {} : { taskId: opts.taskId }) };
  if (opts.setupFailed === true) {
    return { gate, subject, epoch, status, summary: 'setup failed: verification did not run', findings: [{ message: 'setup command failed', severity: 'error', rule: 'setup_failed' }], policyViolations: [], evidence: [] };
  }
  return {
    gate,
    subject,
    epoch,
    status,
    summary: `${gate} ${status}`,
    findings: status === 'FAIL' && opts.policy !== true ? [finding] : [],
    policyViolations: opts.policy === true ? [{ message: 'touched a protected path', severity: 'error', rule: 'protected_path', file: 'package.json' }] : [],
    evidence: [],
  };
}

const inState = (value: unknown, path: string): boolean => {
  const parts = path.split('.');
  let v: unknown = value;
  for (const part of parts) {
    if (typeof v === 'string') return v === part && part === parts[parts.length - 1];
    if (typeof v !== 'object' || v === null || !(part in v)) return false;
    v = (v as Record<string, unknown>)[part];
  }
  return true;
};

// ---------------------------------------------------------------- task model
export const taskInput = (maxAttempts = 2, maxFixRounds = 1): TaskInput => ({
  runId: 'run-1',
  taskId: 't1',
  limits: { maxAttempts, maxFixRounds, taskTimeoutSec: 60, heartbeatTimeoutSec: 10 },
});

const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0.01, unknownAttempts: 0 };

export function taskEvents(s: Snap<TaskContext>): EventObject[] {
  const c = s.context;
  const ev: EventObject[] = [];
  const grants = (what: string) => c.history.filter((h) => h.kind === 'grant' && h.what === what).length;
  const attemptId = c.current?.attemptId ?? 'none';
  if (inState(s.value, 'working')) {
    ev.push({ type: 'STOP' }, { type: 'HOLD' });
    const ingested = Object.keys(c.ingested)[0];
    if (ingested !== undefined && inState(s.value, 'working.verifying') && !c.history.some((h) => h.kind === 'late_completion')) {
      ev.push({ type: 'COMPLETION_OBSERVED', attemptId: ingested, digest: 'other-digest' } as EventObject);
      ev.push({ type: 'COMPLETION_OBSERVED', attemptId: ingested, digest: c.ingested[ingested] } as EventObject);
    }
  }
  if (inState(s.value, 'working.requesting')) ev.push({ type: 'DISPATCH_GRANTED' });
  if (inState(s.value, 'working.dispatching')) {
    ev.push(done('dispatchWorker', { status: 'started', startedAt: 1_000, pid: 4242 }));
    ev.push(done('dispatchWorker', { status: 'unavailable', message: 'worker executable not found', details: { executable: 'nope' } }));
    ev.push(done('dispatchWorker', { status: 'conflict', message: 'run branch does not merge', details: { files: ['src/a.ts'] } }));
    ev.push(done('dispatchWorker', { status: 'setup_failed', message: 'setup command ["npm","ci"] failed in task t1 (exit code 1)', details: { where: 'task t1' }, setup: setupRecord('task t1') }));
    ev.push(failed('dispatchWorker'));
    ev.push(leaseGone('dispatchWorker'));
  }
  if (inState(s.value, 'working.awaiting')) {
    const completion = (status: string) => ({ kind: 'completion', status, digest: `d-${attemptId}`, summary: `worker ${status}`, changedFiles: ['src/a.ts'], usage });
    ev.push(done('awaitCompletion', completion('completed')));
    ev.push(done('awaitCompletion', completion('failed')));
    ev.push(done('awaitCompletion', completion('blocked')));
    ev.push(done('awaitCompletion', { kind: 'invalid', digest: `bad-${attemptId}`, problems: ['epoch: expected 1'], usage: null }));
    ev.push(done('awaitCompletion', { kind: 'missing', reason: 'supervisor died without an exit record' }));
    ev.push(done('awaitCompletion', { kind: 'timeout', reason: 'heartbeat' }));
    ev.push(done('awaitCompletion', { kind: 'violation', reason: 'git configuration changed: .git/config', files: ['.git/config'] }));
    ev.push(done('awaitCompletion', { kind: 'setup_failed', reason: 'setup command ["npm","ci"] failed in task t1 on worker agent m1 (exit code 1)', details: { where: 'task t1 on worker agent m1' }, setup: setupRecord('task t1 on worker agent m1') }));
    ev.push(failed('awaitCompletion'));
    ev.push(leaseGone('awaitCompletion'));
  }
  if (inState(s.value, 'working.committing')) {
    ev.push(done('commitAttempt', { status: 'committed', commit: `c-${attemptId}`, changedFiles: ['src/a.ts'] }));
    ev.push(failed('commitAttempt'));
    ev.push(leaseGone('commitAttempt'));
  }
  if (inState(s.value, 'working.verifying')) {
    for (const status of ['PASS', 'FAIL', 'BLOCKED'] as const) ev.push(done('runTaskVerification', gateResult('verification', 'task', c.epoch, status)));
    ev.push(done('runTaskVerification', gateResult('verification', 'task', c.epoch, 'FAIL', { policy: true })));
    ev.push(done('runTaskVerification', gateResult('verification', 'task', c.epoch, 'BLOCKED', { setupFailed: true })));
    ev.push(failed('runTaskVerification'));
    ev.push(leaseGone('runTaskVerification'));
  }
  if (inState(s.value, 'working.reviewing')) {
    for (const status of ['PASS', 'FAIL', 'BLOCKED'] as const) ev.push(done('runTaskReview', gateResult('review', 'task', c.epoch, status)));
    ev.push(done('runTaskReview', gateResult('review', 'task', c.epoch, 'FAIL', { policy: true })));
    ev.push(failed('runTaskReview'));
    ev.push(leaseGone('runTaskReview'));
  }
  if (inState(s.value, 'working.merging')) {
    ev.push(done('mergeTask', { status: 'merged', commit: `c${c.epoch}` }));
    ev.push(done('mergeTask', { status: 'conflict', files: ['src/a.ts'], message: 'both modified' }));
    ev.push(failed('mergeTask'));
    ev.push(leaseGone('mergeTask'));
  }
  if (inState(s.value, 'working.passed') && c.integrationFixes < 1) {
    ev.push({ type: 'FIX', findings: [{ message: 'integration failed', severity: 'error' }] } as EventObject);
  }
  if (s.value === 'held') ev.push({ type: 'RELEASE' }, { type: 'STOP' });
  const lateFor = Object.keys(c.ingested)[0];
  if ((s.value === 'held' || s.value === 'blocked') && lateFor !== undefined && !c.history.some((h) => h.kind === 'late_completion')) {
    ev.push({ type: 'COMPLETION_OBSERVED', attemptId: lateFor, digest: 'other-digest' } as EventObject);
  }
  if (s.value === 'blocked') {
    ev.push({ type: 'STOP' });
    if (grants('retry') + grants('fix') + grants('resume') < 1) ev.push({ type: 'RETRY' });
  }
  return ev;
}

/** Every event type the task chart knows, for the final-state check. */
export const allTaskEvents: EventObject[] = [
  { type: 'DISPATCH_GRANTED' },
  { type: 'HOLD' },
  { type: 'RELEASE' },
  { type: 'RETRY' },
  { type: 'STOP' },
  { type: 'FIX', findings: [] } as EventObject,
  { type: 'COMPLETION_OBSERVED', attemptId: 't1.a1', digest: 'x' } as EventObject,
  done('awaitCompletion', { kind: 'missing', reason: 'x' }),
];

// ----------------------------------------------------------------- run model
/** a → c; b overlaps a's scope, so a and b never run together; b and c may. */
export const runInput = (): RunInput => ({
  runId: 'run-1',
  approvedHash: 'sha256:' + '0'.repeat(64),
  tasks: [
    { id: 'a', dependsOn: [], scope: ['src/a'] },
    { id: 'b', dependsOn: [], scope: ['src/a/inner'] },
    { id: 'c', dependsOn: ['a'], scope: ['src/c'] },
  ],
  limits: { maxAttempts: 1, maxFixRounds: 1, maxDispatches: 4, taskTimeoutSec: 60, heartbeatTimeoutSec: 10, concurrency: 2, budgetUsd: 1, runTimeoutMin: 1 },
  deadlineAt: 1_000,
});

const passGates = (epoch: number) => [
  { gate: 'verification' as const, epoch, status: 'PASS' as const, evidence: [] },
  { gate: 'review' as const, epoch, status: 'PASS' as const, evidence: [] },
];

export function runEvents(s: Snap<RunContext>): EventObject[] {
  const c = s.context;
  // Rare events (a lost lease under a step, approval gates) only on the plainest way there: first epoch, no decision, no spend, one dispatch per task.
  const plainest = c.epoch === 1 && c.decisions.length === 0 && c.usage.costUsd === 0 && c.dispatches === c.tasks.length;
  const ev: EventObject[] = [];
  const operatorBudget = c.decisions.length === 0;
  if (inState(s.value, 'active')) {
    if (operatorBudget) ev.push({ type: 'PAUSE', by: 'model', reason: 'walk' } as EventObject);
    ev.push({ type: 'CANCEL', by: 'model', reason: 'walk' } as EventObject);
    if (inState(s.value, 'active.implementing') && c.decisions.length === 0) {
      ev.push({ type: 'LEASE_LOST', message: 'lease expired' } as EventObject);
      ev.push({ type: 'RUN_DEADLINE', now: 5_000 } as EventObject);
      ev.push({ type: 'RUN_DEADLINE', now: 10 } as EventObject);
    }
  }
  if (inState(s.value, 'active.intake')) {
    ev.push(done('checkIntake', { status: 'ok' }));
    ev.push(done('checkIntake', { status: 'insufficient', problems: [{ path: 'tasks[0].acceptance', message: 'must not be empty' }] }));
    ev.push(done('checkIntake', { status: 'tampered', approvedHash: c.approvedHash, actualHash: 'sha256:' + '1'.repeat(64) }));
    ev.push(failed('checkIntake'));
  }
  if (inState(s.value, 'active.queued') || inState(s.value, 'active.waiting')) ev.push({ type: 'START' });
  if (inState(s.value, 'active.prerequisites')) {
    ev.push(done('checkPrerequisites', { status: 'ready' }));
    ev.push(done('checkPrerequisites', { status: 'waiting', waitingFor: { runId: 'run-0', status: 'running' } }));
    ev.push(done('checkPrerequisites', { status: 'failed', message: 'prerequisite run run-0 is cancelled', details: { prerequisite: 'run-0' } }));
    ev.push(failed('checkPrerequisites'));
  }
  if (inState(s.value, 'active.preflight')) {
    ev.push(done('checkAdapters', { status: 'ok' }));
    ev.push(done('checkAdapters', { status: 'unavailable', message: 'claude not found on PATH', details: {} }));
    ev.push(done('checkAdapters', { status: 'sandbox_unavailable', message: 'sandbox: required, but bwrap is not installed', details: {} }));
    ev.push(done('checkAdapters', { status: 'platform_unsupported', message: 'no process table: neither /proc nor ps', details: {} }));
    ev.push(failed('checkAdapters'));
  }
  if (inState(s.value, 'active.leasing')) {
    ev.push(done('acquireLease', { status: 'acquired', lease: { branch: 'buran/run-1', worktree: '/tmp/w', baseCommit: 'abc' } }));
    ev.push(done('acquireLease', { status: 'conflict', message: 'scope overlaps run-0', details: { otherRun: 'run-0' } }));
    ev.push(done('acquireLease', { status: 'setup_failed', message: 'setup command ["npm","ci"] failed in run (exit code 1)', details: { where: 'run' }, setup: setupRecord('run') }));
    ev.push(failed('acquireLease'));
  }
  if (inState(s.value, 'active.implementing')) {
    const running = c.tasks.filter((_t, i) => c.progress[i] === 'running');
    for (const [i, t] of running.entries()) {
      const epoch = slotValue(c.tasks, c.taskEpochs, t.id) ?? 1;
      ev.push({ type: 'DISPATCH_REQUEST', taskId: t.id } as EventObject);
      ev.push({ type: 'TASK_PASSED', taskId: t.id, epoch, gates: passGates(epoch) } as EventObject);
      if (epoch > 1) ev.push({ type: 'TASK_PASSED', taskId: t.id, epoch: epoch - 1, gates: passGates(epoch - 1) } as EventObject);
      if (i === 0 && c.decisions.length === 0) {
        ev.push({
          type: 'TASK_BLOCKED',
          taskId: t.id,
          blocker: makeBlocker('worker_timeout', c.runId, 'attempt timed out', { attemptId: `${t.id}.a1` }),
          allowedDecisions: ['retry', 'cancel', 'abandon'],
        } as EventObject);
        ev.push({
          type: 'TASK_BLOCKED',
          taskId: t.id,
          blocker: makeBlocker('policy_denied', c.runId, 'touched package.json', {}),
          allowedDecisions: ['cancel', 'abandon'],
        } as EventObject);
      }
      if (i === 0 && c.dispatches > 0 && c.usage.costUsd < 0.5) {
        ev.push({ type: 'TASK_USAGE', taskId: t.id, attemptId: `${t.id}.a1`, usage: { inputTokens: 100, outputTokens: 50, costUsd: 0.6, unknownAttempts: 0 } } as EventObject);
        ev.push({ type: 'TASK_USAGE', taskId: t.id, attemptId: `${t.id}.a1`, usage: null } as EventObject);
      }
    }
  }
  if (inState(s.value, 'active.verifying')) {
    ev.push(done('runVerification', gateResult('verification', 'integration', c.epoch, 'PASS')));
    ev.push(done('runVerification', gateResult('verification', 'integration', c.epoch, 'FAIL', { taskId: 'a' })));
    ev.push(done('runVerification', gateResult('verification', 'integration', c.epoch, 'FAIL')));
    ev.push(done('runVerification', gateResult('verification', 'integration', c.epoch, 'BLOCKED')));
    ev.push(done('runVerification', gateResult('verification', 'integration', c.epoch, 'FAIL', { policy: true })));
    ev.push(done('runVerification', gateResult('verification', 'integration', c.epoch, 'BLOCKED', { setupFailed: true })));
    ev.push(failed('runVerification'));
    if (plainest) ev.push(leaseGone('runVerification'));
  }
  if (inState(s.value, 'active.reviewing')) {
    for (const status of ['PASS', 'FAIL', 'BLOCKED'] as const) ev.push(done('runReview', gateResult('review', 'integration', c.epoch, status)));
    ev.push(done('runReview', gateResult('review', 'integration', c.epoch, 'FAIL', { policy: true })));
    // An agent reviewer whose spend passes the run's budget (budgetUsd 1).
    ev.push(done('runReview', { ...gateResult('review', 'integration', c.epoch, 'PASS'), usage: { inputTokens: 10, outputTokens: 10, costUsd: 2, unknownAttempts: 0 } }));
    ev.push(failed('runReview'));
    if (plainest) ev.push(leaseGone('runReview'));
  }
  if (inState(s.value, 'active.approvals')) {
    // No gate applies (one skipped: its when.paths matched nothing); two that apply, the first rejects to a fix round, the second ends the run.
    ev.push(done('checkApprovals', { pending: [], skipped: [{ name: 'docs', paths: ['docs/**'] }] }));
    // Gates that apply only on the plainest way there: the walk stays small.
    if (plainest) {
      ev.push(done('checkApprovals', { pending: [{ name: 'security', onReject: 'fix', matched: ['src/a/x.ts'] }, { name: 'legal', onReject: 'end', matched: [] }], skipped: [] }));
    }
    ev.push(failed('checkApprovals'));
    if (plainest) ev.push(leaseGone('checkApprovals'));
  }
  if (inState(s.value, 'active.awaitingApproval')) {
    const asked = c.approvals?.pending[0]?.name ?? 'none';
    for (const verdict of ['approve', 'reject'] as const) ev.push({ type: 'DECIDE', gate: asked, verdict, by: 'model', reason: 'walk' } as EventObject);
    // A decision for a gate that is not the one asked changes nothing.
    ev.push({ type: 'DECIDE', gate: 'not-asked', verdict: 'approve', by: 'model', reason: 'walk' } as EventObject);
  }
  if (inState(s.value, 'active.handoff')) {
    ev.push(done('performHandoff', { status: 'done', handoff: { branch: 'buran/run-1', commit: 'def', reportHash: 'sha256:' + '2'.repeat(64), pullRequest: null } }));
    ev.push(done('performHandoff', { status: 'failed', message: 'git commit failed', details: { exitCode: 128 } }));
    ev.push(failed('performHandoff'));
    if (plainest) ev.push(leaseGone('performHandoff'));
  }
  const lateReports = (): EventObject[] => {
    const t = c.tasks.find((_task, i) => c.progress[i] === 'running');
    if (t === undefined || c.usage.costUsd > 0) return [];
    return [{ type: 'TASK_USAGE', taskId: t.id, attemptId: `${t.id}.a1`, usage: { inputTokens: 1, outputTokens: 1, costUsd: 0.1, unknownAttempts: 0 } } as EventObject];
  };
  if (s.value === 'paused') {
    ev.push({ type: 'RESUME', by: 'model', reason: 'walk' } as EventObject);
    ev.push({ type: 'CANCEL', by: 'model', reason: 'walk' } as EventObject);
    ev.push({ type: 'LEASE_LOST', message: 'lease expired while paused' } as EventObject);
    ev.push(...lateReports());
    const t = c.tasks.find((_task, i) => c.progress[i] === 'running');
    if (t !== undefined)
      ev.push({
        type: 'TASK_BLOCKED',
        taskId: t.id,
        blocker: makeBlocker('completion_missing', c.runId, 'supervisor died', {}),
        allowedDecisions: ['retry', 'cancel', 'abandon'],
      } as EventObject);
  }
  if (s.value === 'blocked') {
    ev.push(...lateReports());
    ev.push({ type: 'CANCEL', by: 'model', reason: 'walk' } as EventObject);
    for (const decision of ['cancel', 'abandon'] as const) ev.push({ type: 'UNBLOCK', decision, by: 'model', reason: 'walk' } as EventObject);
    if (c.decisions.length < 2) ev.push({ type: 'UNBLOCK', decision: 'retry', by: 'model', reason: 'walk' } as EventObject);
  }
  if (s.value === 'reclaiming') {
    ev.push(done('reacquireScope', { status: 'acquired' }));
    // The rest for one retried blocker only (the walk stays small); after a failed re-take the next retry must still do what the first asked.
    if (c.blocker?.code === 'lease_lost') {
      ev.push(...lateReports());
      ev.push({ type: 'CANCEL', by: 'model', reason: 'walk' } as EventObject);
      ev.push(done('reacquireScope', { status: 'conflict', message: 'scope overlaps run run-2', details: { otherRun: 'run-2' } }));
      ev.push(failed('reacquireScope'));
    }
  }
  return ev;
}

export const allRunEvents: EventObject[] = [
  { type: 'START' },
  { type: 'PAUSE', by: 'x', reason: '' } as EventObject,
  { type: 'RESUME', by: 'x', reason: '' } as EventObject,
  { type: 'CANCEL', by: 'x', reason: '' } as EventObject,
  { type: 'UNBLOCK', decision: 'retry', by: 'x', reason: '' } as EventObject,
  { type: 'DECIDE', gate: 'security', verdict: 'approve', by: 'x', reason: '' } as EventObject,
  { type: 'LEASE_LOST', message: 'x' } as EventObject,
  { type: 'RUN_DEADLINE', now: 99_999 } as EventObject,
  { type: 'DISPATCH_REQUEST', taskId: 'a' } as EventObject,
  done('checkIntake', { status: 'ok' }),
];

// ------------------------------------------------------- abstract state keys
// Two snapshots with the same key behave the same for every guard and every
// generated event, so the walk visits each once. The history value is part of
// the key: it decides where RESUME / RELEASE return.
const historyKey = (s: unknown): string => {
  const hv = (s as { historyValue?: Record<string, readonly { id: string }[]> }).historyValue ?? {};
  return Object.entries(hv)
    .map(([k, nodes]) => `${k}=${nodes.map((n) => n.id).join('+')}`)
    .sort()
    .join(',');
};

export function taskKey(s: Snap<TaskContext>): string {
  const c = s.context;
  return JSON.stringify([
    s.value,
    historyKey(s),
    c.epoch,
    // Counters past their bound are all alike: a correct chart never gets there,
    // a broken guard does, and the walk stays finite so the invariant can fire.
    Math.min(c.attemptsInEpoch, c.limits.maxAttempts + c.retryGrants + 1),
    c.retryGrants,
    Math.min(c.fixRounds, c.limits.maxFixRounds + c.fixGrants + 1),
    c.fixGrants,
    c.integrationFixes,
    c.lastFailure,
    c.resumeAt,
    c.blocker?.code ?? null,
    Object.keys(c.ingested).length > 0,
    c.history.some((h) => h.kind === 'late_completion'),
    c.history.filter((h) => h.kind === 'grant').length,
  ]);
}

export function runKey(s: Snap<RunContext>): string {
  const c = s.context;
  return JSON.stringify([
    s.value,
    historyKey(s),
    c.progress,
    c.taskEpochs,
    c.taskGates.map((g) => g?.epoch ?? null),
    Math.min(c.dispatches, c.limits.maxDispatches + 1),
    c.usage.costUsd,
    c.usage.unknownAttempts,
    c.epoch,
    c.fixRounds,
    c.fixGrants,
    c.blocker?.code ?? null,
    c.blockedTaskId,
    c.allowedDecisions,
    c.decisions.length,
    c.lease !== null,
    c.retrying ?? null,
    c.waitingFor ?? null,
    // Which gates still wait, and whether they were worked out for the current epoch (what guards and invariant 1 read).
    c.approvals == null ? null : [c.approvals.epoch === c.epoch, c.approvals.pending.map((p) => p.name)],
  ]);
}

/**
 * The task's core lifecycle only (no hold/stop/late completions/crashing
 * effects), for the simple-path walk: every simple path through dispatch,
 * outcomes, gates, merge and fix rounds, with counters bounded by the input.
 */
export function taskCoreEvents(s: Snap<TaskContext>): EventObject[] {
  const noise = new Set(['HOLD', 'STOP', 'COMPLETION_OBSERVED']);
  return taskEvents(s).filter((e) => !noise.has(e.type) && !e.type.startsWith('xstate.error.actor.'));
}
