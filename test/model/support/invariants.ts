// The invariants, checked on every step of every generated path. Each
// checker returns violations (strings) so a test can also prove they fire.
import { slotValue } from '../../../machines/shared.js';
import { transition, type AnyStateMachine, type EventObject } from 'xstate';
import type { RunContext } from '../../../machines/run.types.js';
import type { TaskContext } from '../../../machines/task.types.js';
import { BlockerSchema, isBlockerCode } from '../../../src/domain/blockers.js';
import { scopesOverlap } from '../../../src/scheduler/scopeOverlap.js';
import { blockCauseViolations, runBlockCodes, taskBlockCodes } from './blockCause.js';

interface Snap<C> {
  readonly value: unknown;
  readonly status: string;
  readonly context: C;
}

function isPrefix(prev: readonly unknown[], next: readonly unknown[]): boolean {
  if (next.length < prev.length) return false;
  return prev.every((entry, i) => JSON.stringify(entry) === JSON.stringify(next[i]));
}

function checkBlocker(where: string, blocker: unknown, allowed: readonly string[]): string[] {
  const parsed = BlockerSchema.safeParse(blocker);
  if (!parsed.success) return [`2: ${where} is blocked without a valid blocker: ${JSON.stringify(blocker)}`];
  const out: string[] = [];
  if (!isBlockerCode(parsed.data.code)) out.push(`2: ${where} blocker has unknown code ${String(parsed.data.code)}`);
  if (parsed.data.nextSafeAction.text.trim() === '') out.push(`2: ${where} blocker has no next safe action`);
  if (allowed.length === 0) out.push(`2: ${where} blocker allows no operator decision`);
  return out;
}

export function taskInvariants(prev: Snap<TaskContext> | null, next: Snap<TaskContext>, sent: readonly EventObject[]): string[] {
  const v: string[] = [];
  const grantsSent = sent.filter((e) => e.type === 'DISPATCH_GRANTED').length;
  const c = next.context;
  const value = JSON.stringify(next.value);
  // 1. passed only with both gates PASS for the current epoch
  if (value.includes('"passed"')) {
    // The latest record of each gate at the current epoch decides (a gate retried at the same epoch has several).
    const ok = (gate: string) => c.gates.findLast((g) => g.gate === gate && g.epoch === c.epoch)?.status === 'PASS';
    if (!ok('verification') || !ok('review')) v.push(`1: task passed at epoch ${c.epoch} without verification and review PASS for it`);
  }
  // 2. blocked carries a valid blocker
  if (next.value === 'blocked') v.push(...checkBlocker('task', c.blocker, c.allowedDecisions));
  // 7. a block has the code its cause calls for
  v.push(...blockCauseViolations('task', prev, next, sent.at(-1), taskBlockCodes));
  // 3. bounds; history and epoch never shrink
  if (c.attemptsInEpoch > c.limits.maxAttempts + c.retryGrants)
    v.push(`3: attempts in epoch ${c.attemptsInEpoch} > maxAttempts ${c.limits.maxAttempts} + grants ${c.retryGrants}`);
  if (c.fixRounds > c.limits.maxFixRounds + c.fixGrants) v.push(`3: fix rounds ${c.fixRounds} > maxFixRounds ${c.limits.maxFixRounds} + grants ${c.fixGrants}`);
  const dispatched = c.history.filter((h) => h.kind === 'dispatched').length;
  if (dispatched !== c.attemptCount) v.push(`3: attemptCount ${c.attemptCount} != dispatched entries ${dispatched}`);
  // 4 (task side): never dispatched without a grant from the run
  if (dispatched > grantsSent) v.push(`4: ${dispatched} dispatches but only ${grantsSent} grants`);
  if (prev !== null) {
    if (c.epoch < prev.context.epoch) v.push(`3: epoch shrank ${prev.context.epoch} -> ${c.epoch}`);
    if (!isPrefix(prev.context.history, c.history)) v.push('3: task history was rewritten');
    if (!isPrefix(prev.context.gates, c.gates)) v.push('3: task gate records were rewritten');
    if (c.attemptCount < prev.context.attemptCount) v.push('3: attempt count shrank');
  }
  return v;
}

export function runInvariants(prev: Snap<RunContext> | null, next: Snap<RunContext>, sent: readonly EventObject[] = []): string[] {
  const v: string[] = [];
  const c = next.context;
  // 1. readyForReview only when every task and the integration passed for the current epoch
  if (next.value === 'readyForReview') {
    for (const [i, t] of c.tasks.entries()) {
      const g = c.taskGates[i] ?? null;
      if (c.progress[i] !== 'done' || g === null || g.verification !== 'PASS' || g.review !== 'PASS' || g.epoch < (c.taskEpochs[i] ?? 1))
        v.push(`1: ready for review but task ${t.id} has not passed its current epoch`);
    }
    const ok = (gate: string) => c.gates.findLast((g) => g.gate === gate && g.epoch === c.epoch)?.status === 'PASS';
    if (!ok('verification') || !ok('review')) v.push(`1: ready for review without integration PASS at epoch ${c.epoch}`);
    if (c.handoff === null) v.push('1: ready for review without a handoff record');
    const approvals = c.approvals ?? null;
    if (approvals === null || approvals.epoch !== c.epoch || approvals.pending.length > 0) v.push(`1: ready for review without every approval gate of epoch ${c.epoch} approved or skipped`);
  }
  // 1 (each task, every step): a task counts as done only with both gates PASS at its current epoch (a stale report is refused)
  for (const [i, t] of c.tasks.entries()) {
    if (c.progress[i] !== 'done') continue;
    const g = c.taskGates[i] ?? null;
    const current = c.taskEpochs[i] ?? 1;
    if (g === null || g.verification !== 'PASS' || g.review !== 'PASS' || g.epoch < current) v.push(`1: task ${t.id} is done without both gates PASS at its current epoch ${current}`);
  }
  // 2. blocked carries a valid blocker
  if (next.value === 'blocked') v.push(...checkBlocker('run', c.blocker, c.allowedDecisions));
  // 7. a block has the code its cause calls for
  v.push(...blockCauseViolations('run', prev, next, sent.at(-1), runBlockCodes));
  // 2 (retry): a blocked run released its scope, so once it had a lease it goes back to work only through reclaiming (which re-takes it)
  if (prev !== null && prev.value === 'blocked' && prev.context.lease !== null && typeof next.value === 'object') v.push(`2: left blocked for ${JSON.stringify(next.value)} without re-taking its scope`);
  // 3. bounds; histories and epoch never shrink
  if (c.dispatches > c.limits.maxDispatches) v.push(`3: dispatches ${c.dispatches} > maxDispatches ${c.limits.maxDispatches}`);
  if (c.fixRounds > c.limits.maxFixRounds + c.fixGrants) v.push(`3: fix rounds ${c.fixRounds} > maxFixRounds + grants`);
  if (prev !== null) {
    // Under a spend budget, a spend that is not known stops dispatching (it could already be over).
    const budgeted = c.limits.budgetUsd !== undefined || c.limits.budgetTokens !== undefined;
    if (budgeted && c.dispatches > prev.context.dispatches && prev.context.usage.unknownAttempts > 0) v.push('3: a dispatch was granted while the spend was unknown under a spend budget');
    if (c.epoch < prev.context.epoch) v.push('3: run epoch shrank');
    if (c.dispatches < prev.context.dispatches) v.push('3: dispatch count shrank');
    if (!isPrefix(prev.context.gates, c.gates)) v.push('3: integration gate records were rewritten');
    if (!isPrefix(prev.context.decisions, c.decisions)) v.push('3: decision records were rewritten');
  }
  // 4. dependencies done, no overlapping scopes, concurrency respected
  const running = c.tasks.filter((_t, i) => c.progress[i] === 'running');
  if (running.length > c.limits.concurrency) v.push(`4: ${running.length} tasks running > concurrency ${c.limits.concurrency}`);
  for (const t of running) {
    for (const dep of t.dependsOn) if (slotValue(c.tasks, c.progress, dep) !== 'done') v.push(`4: ${t.id} runs before its dependency ${dep} is done`);
  }
  for (let i = 0; i < running.length; i++)
    for (let j = i + 1; j < running.length; j++) {
      const a = running[i];
      const b = running[j];
      if (a !== undefined && b !== undefined && scopesOverlap(a.scope, b.scope)) v.push(`4: ${a.id} and ${b.id} run with overlapping scope`);
    }
  return v;
}

/** 5. A final snapshot accepts nothing further: every event leaves it unchanged. */
export function finalAcceptsNothing(machine: AnyStateMachine, snapshot: ReturnType<AnyStateMachine['resolveState']>, events: readonly EventObject[]): string[] {
  if (snapshot.status !== 'done') return [];
  const v: string[] = [];
  for (const event of events) {
    const [next] = transition(machine, snapshot, event);
    if (JSON.stringify(next.value) !== JSON.stringify(snapshot.value) || JSON.stringify(next.context) !== JSON.stringify(snapshot.context))
      v.push(`5: final state ${JSON.stringify(snapshot.value)} changed on ${event.type}`);
  }
  return v;
}
