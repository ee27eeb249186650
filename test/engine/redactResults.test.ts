// Every worker outcome kind and every gate text is redacted before the charts keep it.
import { describe, expect, it } from 'vitest';
import type { GateResult } from '../../src/domain/gates.js';
import { redactGate, redactOutcome, redactorOf } from '../../src/engine/redactResults.js';

const SECRET = 'runner-secret-value-42';
const redact = redactorOf([SECRET]);
const token = `ghp_${'b'.repeat(36)}`;

describe('redactOutcome', () => {
  it('redacts the summary of a completion', () => {
    expect(redactOutcome({ kind: 'completion', status: 'failed', digest: 'd', summary: `x ${SECRET}`, changedFiles: [], usage: null }, redact)).toMatchObject({ summary: 'x [redacted]' });
  });

  it('redacts the problems of an invalid outcome (they may quote a raw stdout line)', () => {
    const outcome = redactOutcome({ kind: 'invalid', digest: null, problems: [`line 3 is not JSON: {"key":"${SECRET}"} ${token}`], usage: null }, redact);
    expect(JSON.stringify(outcome)).not.toContain(SECRET);
    expect(JSON.stringify(outcome)).not.toContain(token);
  });

  it('redacts the reason of a missing outcome, and strips control characters', () => {
    expect(redactOutcome({ kind: 'missing', reason: `gemini failed: \u001b[31m${SECRET}\u001b[0m` }, redact)).toEqual({ kind: 'missing', reason: 'gemini failed: [redacted]' });
  });

  it('leaves a timeout as it is', () => {
    expect(redactOutcome({ kind: 'timeout', reason: 'wall' }, redact)).toEqual({ kind: 'timeout', reason: 'wall' });
  });
});

describe('redactGate', () => {
  it('redacts the summary and every finding and policy violation message', () => {
    const gate: GateResult = {
      gate: 'review',
      subject: 'task',
      epoch: 1,
      status: 'FAIL',
      summary: `reviewer said ${SECRET}`,
      findings: [{ severity: 'error', message: `key ${token}` }],
      policyViolations: [{ severity: 'error', message: SECRET }],
      evidence: [],
    };
    const out = redactGate(gate, redact);
    expect(out.summary).toBe('reviewer said [redacted]');
    expect(out.findings[0]?.message).toBe('key [redacted]');
    expect(out.policyViolations[0]?.message).toBe('[redacted]');
  });
});
