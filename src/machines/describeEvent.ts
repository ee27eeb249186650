// Pure: turn the event that caused a block into a message and JSON-safe
// details for the blocker. Never throws; unknown shapes are summarised.

import { isBuranError } from '../domain/errors.js';

export interface EventDescription {
  readonly message: string | null;
  readonly details: Record<string, unknown>;
}

function errorInfo(error: unknown): Record<string, unknown> {
  if (isBuranError(error)) return { name: error.name, code: error.code, message: error.message, ...(Object.keys(error.details).length === 0 ? {} : { details: jsonSafe(error.details) }) };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { message: String(error) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON round-trip so details can be persisted; anything unserialisable becomes a string. */
function jsonSafe(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value ?? null)) as unknown;
  } catch {
    return String(value);
  }
}

type Described = EventDescription;
type Describer = (output: Record<string, unknown>, details: Record<string, unknown>) => Described;

/** An outcome that says why itself: `message`, and `details` / `files` (refusals, conflicts, failed handoffs). */
const refusal: Describer = (o, details) => {
  const files = Array.isArray(o['files']) ? { files: jsonSafe(o['files']) } : {};
  return { message: typeof o['message'] === 'string' ? o['message'] : null, details: { ...details, ...files, ...(isRecord(o['details']) ? (jsonSafe(o['details']) as Record<string, unknown>) : {}) } };
};

/** The intake check: the packet's problems, or the two hashes of a changed packet. */
const intake: Describer = (o, details) => {
  if (o['status'] === 'insufficient' && Array.isArray(o['problems'])) {
    const problems = jsonSafe(o['problems']) as { path: string; message: string }[];
    return { message: `packet is not sufficient: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, details: { ...details, problems } };
  }
  if (o['status'] === 'tampered') {
    return { message: `packet changed after approval (approved ${String(o['approvedHash'])}, now ${String(o['actualHash'])})`, details: { ...details, approvedHash: o['approvedHash'], actualHash: o['actualHash'] } };
  }
  return { message: null, details: { ...details, output: jsonSafe(o) } };
};

/** A verification or review gate: its verdict, summary and findings. */
const gate: Describer = (o, details) => ({
  message: `${o['subject'] === 'integration' ? 'integration ' : ''}${String(o['gate'])} ${String(o['status'])}: ${String(o['summary'])}`,
  details: { ...details, gate: o['gate'], status: o['status'], findings: jsonSafe(o['findings']), policyViolations: jsonSafe(o['policyViolations']), ...(o['checked'] === undefined ? {} : { checked: jsonSafe(o['checked']) }) },
});

/** A worker attempt's outcome: its summary, reason or problems; a setup that failed on a worker agent as a failed local setup says it. */
const worker: Describer = (o, details) => {
  if (o['kind'] === 'setup_failed') return refusal({ message: o['reason'], details: o['details'] }, details);
  const what = typeof o['summary'] === 'string' ? o['summary'] : typeof o['reason'] === 'string' ? o['reason'] : Array.isArray(o['problems']) ? o['problems'].join('; ') : '';
  return { message: what === '' ? null : `worker outcome ${String(o['kind'])}: ${what}`, details: { ...details, outcome: jsonSafe(o) } };
};

/** An outcome no chart blocks on by itself (which approval gates apply): kept whole in the details. */
const plain: Describer = (o, details) => ({ message: null, details: { ...details, output: jsonSafe(o) } });

/**
 * How each effect's output is described when a chart blocks on it, by the
 * effect's name (the invoke id in both charts). One entry per effect: a new
 * effect without one is caught by test/machines/describeEvent.test.ts.
 */
export const EFFECT_DESCRIBERS: Readonly<Record<string, Describer>> = {
  checkIntake: intake,
  checkPrerequisites: refusal,
  checkAdapters: refusal,
  acquireLease: refusal,
  reacquireScope: refusal,
  dispatchWorker: refusal,
  awaitCompletion: worker,
  commitAttempt: plain,
  runTaskVerification: gate,
  runTaskReview: gate,
  mergeTask: refusal,
  runVerification: gate,
  runReview: gate,
  checkApprovals: plain,
  performHandoff: refusal,
};

export function describeEvent(event: { type: string }): EventDescription {
  const details: Record<string, unknown> = { event: event.type };
  if (event.type.startsWith('xstate.error.actor.')) {
    const err = errorInfo((event as { error?: unknown }).error);
    return { message: `effect "${event.type.slice('xstate.error.actor.'.length)}" failed: ${String(err['message'])}`, details: { ...details, error: err } };
  }
  if (event.type.startsWith('xstate.done.actor.')) {
    const output = (event as { output?: unknown }).output;
    const describe = EFFECT_DESCRIBERS[event.type.slice('xstate.done.actor.'.length)];
    if (describe !== undefined && isRecord(output)) return describe(output, details);
    return { message: null, details: { ...details, output: jsonSafe(output) } };
  }
  if (event.type === 'RUN_DEADLINE') {
    const now = (event as { now?: unknown }).now;
    const at = typeof now === 'number' && Number.isFinite(now) ? new Date(now).toISOString() : 'now';
    return { message: `the run's wall-clock budget (limits.runTimeoutMin) ran out (checked at ${at})`, details: { ...details, budget: 'runTimeoutMin', at } };
  }
  if (event.type === 'DISPATCH_REQUEST') {
    return { message: 'no dispatch is left within the run\'s budgets (limits.maxDispatches, or the spend budget is spent or unknown)', details: { ...details, budget: 'dispatch' } };
  }
  if (event.type === 'TASK_USAGE') {
    const usage = (event as { usage?: unknown }).usage;
    return {
      message: usage === null ? 'a worker could not report its usage and the run has a spend budget' : 'reported usage exceeds the spend budget (limits.budgetUsd / limits.budgetTokens)',
      details: { ...details, budget: 'spend', usage: jsonSafe(usage) },
    };
  }
  if (event.type === 'DECIDE') {
    const e = event as { gate?: unknown; by?: unknown; reason?: unknown };
    return {
      message: `approval gate ${String(e.gate)} was rejected by ${String(e.by)} (${String(e.reason)}) and no fix round is left (limits.maxFixRounds)`,
      details: { ...details, gate: jsonSafe(e.gate), by: jsonSafe(e.by), reason: jsonSafe(e.reason) },
    };
  }
  if (event.type === 'LEASE_LOST') {
    const message = (event as { message?: unknown }).message;
    return { message: typeof message === 'string' ? message : 'lease lost', details };
  }
  return { message: null, details };
}
