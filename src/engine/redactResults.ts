// Redaction of the untrusted text in effect outputs before the charts (and so
// the events log, the snapshot and reports) keep it: one place for every
// worker outcome kind, every gate result, every refusal or failure an effect
// reports (git, gh, adapters) and every error it throws. The text rules live
// in src/domain/redact.ts; this file says which fields are text.
import type { WorkerEnd, WorkerOutcome } from '../../machines/task.types.js';
import { BuranError, isBuranError } from '../domain/errors.js';
import type { GateResult } from '../domain/gates.js';
import { redactSecrets } from '../domain/redact.js';
import type { SetupRecord } from '../domain/setup.js';
import { sanitizeForDisplay } from '../worker/tail.js';
import type { RunEffects } from './effects.js';

/** Display-safe text with the token patterns and the runner's `known` secret values replaced. */
export function redactorOf(known: readonly string[]): (text: string) => string {
  return (text) => redactSecrets(sanitizeForDisplay(text), { known });
}

/** The outcome with its summary, problems or reason redacted (and a setup it carries: its argv and errors); its kind is kept. */
export function redactOutcome(outcome: WorkerEnd, redact: (text: string) => string): WorkerEnd;
export function redactOutcome(outcome: WorkerOutcome, redact: (text: string) => string): WorkerOutcome;
export function redactOutcome(outcome: WorkerOutcome, redact: (text: string) => string): WorkerOutcome {
  const setup = outcome.setup === undefined ? {} : { setup: redactSetupRecord(outcome.setup, redact) };
  switch (outcome.kind) {
    case 'completion':
      return { ...outcome, summary: redact(outcome.summary), ...setup };
    case 'invalid':
      return { ...outcome, problems: outcome.problems.map(redact), ...setup };
    case 'missing':
      return { ...outcome, reason: redact(outcome.reason), ...setup };
    case 'timeout':
      return { ...outcome, ...setup };
    case 'violation':
      return { ...outcome, reason: redact(outcome.reason), ...setup };
    case 'setup_failed':
      return { ...outcome, reason: redact(outcome.reason), details: redactDeep(outcome.details, redact) as Record<string, unknown>, setup: redactSetupRecord(outcome.setup, redact) };
  }
}

/** A setup record with its argv, errors and outputs redacted (exit codes, durations and evidence hashes kept). */
function redactSetupRecord(record: SetupRecord, redact: (text: string) => string): SetupRecord {
  const commands = record.commands.map(({ error, ...c }) => ({ ...c, argv: c.argv.map(redact), ...(error === undefined ? {} : { error: redact(error) }) }));
  return { ...record, commands, ...(record.outputs === undefined ? {} : { outputs: record.outputs.map(redact) }) };
}

/** The gate with its summary and every finding's message redacted. */
export function redactGate(gate: GateResult, redact: (text: string) => string): GateResult {
  // A message that was only control characters must still be a message.
  const finding = <F extends { message: string }>(f: F): F => ({ ...f, message: redact(f.message) || '(no text)' });
  const reviewers = gate.reviewers?.map((r) => ({ ...r, summary: redact(r.summary), findings: r.findings.map(finding) }));
  return {
    ...gate,
    summary: redact(gate.summary),
    findings: gate.findings.map(finding),
    policyViolations: gate.policyViolations.map(finding),
    ...(reviewers === undefined ? {} : { reviewers }),
  };
}

/** Every string inside a JSON-like value redacted (object keys, numbers and structure kept). */
export function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]));
  }
  return value;
}

/** A refusal or failure (`{ message, details? }`, e.g. gh's stderr at handoff) with its message and every string in details redacted. */
export function redactNotice<T extends { readonly message: string; readonly details?: Record<string, unknown> }>(notice: T, redact: (text: string) => string): T {
  const details = notice.details === undefined ? {} : { details: redactDeep(notice.details, redact) as Record<string, unknown> };
  return { ...notice, message: redact(notice.message), ...details };
}

/**
 * A thrown error with its message (and a BuranError's details) redacted. The
 * cause is left out on purpose: it holds the unredacted text, and the charts
 * keep only the name and message of an effect's error.
 */
export function redactError(error: unknown, redact: (text: string) => string): unknown {
  if (isBuranError(error)) {
    return new BuranError({
      code: error.code,
      message: redact(error.message),
      details: redactDeep(error.details, redact) as Record<string, unknown>,
      ...(error.nextSafeAction === null ? {} : { nextSafeAction: error.nextSafeAction }),
    });
  }
  if (error instanceof Error) {
    const copy = new Error(redact(error.message));
    copy.name = error.name;
    return copy;
  }
  return new Error(redact(String(error)));
}

/** Evidence text for the artifact store: JSON has every string value redacted (and stays JSON); other text is redacted as text. */
export function redactEvidence(text: string, redact: (text: string) => string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return redact(text);
  }
  return JSON.stringify(redactDeep(value, redact));
}

const hasNotice = (o: object): o is { message: string; details?: Record<string, unknown> } => 'message' in o && typeof o.message === 'string';

/**
 * The effects with outside text redacted before the charts see it: the message
 * and details of every refusal or failure (adapters, leases, dispatch and
 * merge conflicts, handoff: git push and gh output), every gate result, and
 * every rejection (so a blocker built from an effect's error is redacted too).
 * Worker outcomes are redacted by the effect itself (the commit message needs
 * the redacted summary first).
 */
export function redactingEffects(effects: RunEffects, redact: (text: string) => string): RunEffects {
  const guard = <T>(done: Promise<T>, clean: (value: T) => T = (v) => v): Promise<T> =>
    done.then(clean, (error: unknown) => {
      throw redactError(error, redact);
    });
  const notice = <T extends object>(value: T): T => (hasNotice(value) ? redactNotice(value, redact) : value);
  const gate = (g: GateResult) => redactGate(g, redact);
  return {
    checkIntake: (input) => guard(effects.checkIntake(input)),
    checkPrerequisites: (input) => guard(effects.checkPrerequisites(input), notice),
    checkAdapters: (input) => guard(effects.checkAdapters(input), notice),
    acquireLease: (input) => guard(effects.acquireLease(input), notice),
    reacquireScope: (input) => guard(effects.reacquireScope(input), notice),
    dispatchWorker: (input) => guard(effects.dispatchWorker(input), notice),
    awaitCompletion: (input, signal) => guard(effects.awaitCompletion(input, signal)),
    commitAttempt: (input) => guard(effects.commitAttempt(input)),
    runTaskVerification: (input) => guard(effects.runTaskVerification(input), gate),
    runTaskReview: (input) => guard(effects.runTaskReview(input), gate),
    mergeTask: (input) => guard(effects.mergeTask(input), notice),
    runVerification: (input) => guard(effects.runVerification(input), gate),
    runReview: (input) => guard(effects.runReview(input), gate),
    performHandoff: (input) => guard(effects.performHandoff(input), notice),
    checkApprovals: (input) => guard(effects.checkApprovals(input)),
    releaseLease: (runId) => guard(effects.releaseLease(runId)),
    releaseScope: (runId) => guard(effects.releaseScope(runId)),
    cancelWorkers: (runId) => guard(effects.cancelWorkers(runId)),
    ...(effects.observeCompletions === undefined ? {} : { observeCompletions: effects.observeCompletions.bind(effects) }),
  };
}
