// Invariant 7: a block has the code its cause calls for. Written from the
// blocker table's meanings, not read from the charts, so a chart that blocks
// with a valid but wrong code (a swapped code in a `block` action) fails the
// walk. Checked on the step where a run or task becomes blocked (or its
// blocker changes), against the event that caused that step.
import type { EventObject } from 'xstate';

type Out = Record<string, unknown>;

const outputOf = (event: EventObject): Out => ((event as { output?: unknown }).output ?? {}) as Out;
/** An effect's error that says the run's lease is gone: the run blocks lease_lost, the task never blocks on it (it waits held). */
const leaseLostError = (event: EventObject): boolean => (event as { error?: { code?: unknown } }).error?.code === 'lease_lost';
const actorOf = (event: EventObject, kind: 'done' | 'error'): string | null => {
  const prefix = `xstate.${kind}.actor.`;
  return event.type.startsWith(prefix) ? event.type.slice(prefix.length) : null;
};

/** A gate's block: policy first, then a failed setup, then BLOCKED / FAIL by gate. */
function gateCodes(gate: 'verification' | 'review', out: Out): string[] {
  const policy = Array.isArray(out['policyViolations']) && out['policyViolations'].length > 0;
  if (policy) return ['policy_denied'];
  const setup = Array.isArray(out['findings']) && (out['findings'] as { rule?: unknown }[]).some((f) => f.rule === 'setup_failed');
  if (out['status'] === 'BLOCKED') return setup ? ['setup_failed'] : [gate === 'verification' ? 'verification_blocked' : 'review_blocked'];
  if (out['status'] === 'FAIL') return ['fix_exhausted'];
  // A PASS can block only on spend (an agent reviewer's usage past the budget).
  return ['budget_exhausted'];
}

const WORKER_OUTCOME: Readonly<Record<string, string>> = {
  invalid: 'completion_invalid',
  missing: 'completion_missing',
  timeout: 'worker_timeout',
  violation: 'policy_denied',
  // A setup that failed on a worker agent: the blocker a failed local setup gives.
  setup_failed: 'setup_failed',
};

/** The codes a task may block with after `event`; null when nothing may block on it. */
export function taskBlockCodes(event: EventObject): readonly string[] | null {
  if (actorOf(event, 'error') !== null) return leaseLostError(event) ? null : ['internal_error'];
  const out = outputOf(event);
  switch (actorOf(event, 'done')) {
    case 'dispatchWorker':
      return { unavailable: ['adapter_unavailable'], conflict: ['integration_conflict'], setup_failed: ['setup_failed'] }[String(out['status'])] ?? null;
    case 'awaitCompletion':
      if (out['kind'] === 'completion') return out['status'] === 'blocked' ? ['worker_blocked'] : out['status'] === 'failed' ? ['retry_exhausted'] : null;
      return WORKER_OUTCOME[String(out['kind'])] === undefined ? null : [WORKER_OUTCOME[String(out['kind'])] as string];
    case 'runTaskVerification':
      return gateCodes('verification', out);
    case 'runTaskReview':
      return gateCodes('review', out);
    case 'mergeTask':
      return out['status'] === 'conflict' ? ['integration_conflict'] : null;
    default:
      break;
  }
  // A conflicting completion observed while held blocks when the task is released.
  if (event.type === 'COMPLETION_OBSERVED' || event.type === 'RELEASE') return ['completion_conflict'];
  if (event.type === 'FIX') return ['fix_exhausted'];
  return null;
}

/** The codes the run may block with after `event`; null when nothing may block on it. */
export function runBlockCodes(event: EventObject): readonly string[] | null {
  if (actorOf(event, 'error') !== null) return leaseLostError(event) ? ['lease_lost'] : ['internal_error'];
  const out = outputOf(event);
  switch (actorOf(event, 'done')) {
    case 'checkIntake':
      return { insufficient: ['plan_insufficient'], tampered: ['packet_tampered'] }[String(out['status'])] ?? null;
    case 'checkAdapters':
      return { unavailable: ['adapter_unavailable'], sandbox_unavailable: ['sandbox_unavailable'], platform_unsupported: ['platform_unsupported'] }[String(out['status'])] ?? null;
    case 'acquireLease':
      return { conflict: ['lease_conflict'], setup_failed: ['setup_failed'] }[String(out['status'])] ?? null;
    case 'reacquireScope':
      return out['status'] === 'conflict' ? ['lease_conflict'] : null;
    case 'checkPrerequisites':
      return out['status'] === 'failed' ? ['prerequisite_failed'] : null;
    case 'runVerification':
      return gateCodes('verification', out);
    case 'runReview':
      // A review that blocks on its own terms, or one whose spend passes the budget.
      return [...gateCodes('review', out), 'budget_exhausted'];
    case 'performHandoff':
      return out['status'] === 'failed' ? ['handoff_failed'] : null;
    default:
      break;
  }
  switch (event.type) {
    case 'DISPATCH_REQUEST':
    case 'TASK_USAGE':
    case 'RUN_DEADLINE':
      return ['budget_exhausted'];
    case 'LEASE_LOST':
      return ['lease_lost'];
    case 'DECIDE':
      // A rejected approval gate starts an integration fix round: past the bound, fix_exhausted.
      return ['fix_exhausted'];
    case 'TASK_BLOCKED':
      return [String((event as { blocker?: { code?: unknown } }).blocker?.code)];
    default:
      return null;
  }
}

interface Blockable {
  readonly value: unknown;
  readonly context: { readonly blocker: { readonly code: string } | null };
}

/** Violations of invariant 7 for one step (`cause` is the event sent on it; null for the initial state). */
export function blockCauseViolations(where: 'run' | 'task', prev: Blockable | null, next: Blockable, cause: EventObject | undefined, codes: (e: EventObject) => readonly string[] | null): string[] {
  const code = next.context.blocker?.code;
  if (next.value !== 'blocked' || code === undefined) return [];
  if (prev !== null && prev.value === 'blocked' && prev.context.blocker?.code === code) return [];
  if (cause === undefined) return [`7: ${where} starts blocked (${code}) with no event`];
  const expected = codes(cause);
  if (expected === null) return [`7: ${where} blocked with ${code} on ${cause.type}, which should never block`];
  return expected.includes(code) ? [] : [`7: ${where} blocked with ${code} on ${cause.type}; its cause calls for ${expected.join(' or ')}`];
}
