// Redaction of the untrusted text in effect outputs before the charts (and so
// the events log, the snapshot and reports) keep it: one place for every
// worker outcome kind and every gate result. Pure.
import type { WorkerOutcome } from '../../machines/task.types.js';
import type { GateResult } from '../domain/gates.js';
import { redactSecrets } from '../domain/redact.js';
import { sanitizeForDisplay } from '../worker/tail.js';

/** Display-safe text with the token patterns and the runner's `known` secret values replaced. */
export function redactorOf(known: readonly string[]): (text: string) => string {
  return (text) => redactSecrets(sanitizeForDisplay(text), { known });
}

/** The outcome with its summary, problems or reason redacted. */
export function redactOutcome(outcome: WorkerOutcome, redact: (text: string) => string): WorkerOutcome {
  switch (outcome.kind) {
    case 'completion':
      return { ...outcome, summary: redact(outcome.summary) };
    case 'invalid':
      return { ...outcome, problems: outcome.problems.map(redact) };
    case 'missing':
      return { ...outcome, reason: redact(outcome.reason) };
    case 'timeout':
      return outcome;
  }
}

/** The gate with its summary and every finding's message redacted. */
export function redactGate(gate: GateResult, redact: (text: string) => string): GateResult {
  // A message that was only control characters must still be a message.
  const finding = <F extends { message: string }>(f: F): F => ({ ...f, message: redact(f.message) || '(no text)' });
  return { ...gate, summary: redact(gate.summary), findings: gate.findings.map(finding), policyViolations: gate.policyViolations.map(finding) };
}
