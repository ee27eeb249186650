// Every worker outcome kind and every gate text is redacted before the charts keep it.
import { describe, expect, it } from 'vitest';
import { BuranError } from '../../src/domain/errors.js';
import type { GateResult } from '../../src/domain/gates.js';
import { redactEvidence, redactGate, redactOutcome, redactingEffects, redactorOf } from '../../src/engine/redactResults.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';

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

describe('redactingEffects', () => {
  const input = { runId: 'r1', epoch: 1, retries: 0 };

  it('redacts the message and every string in the details of a failed handoff (gh and git output), keeping the status', async () => {
    const base = createScriptedEffects();
    const leaky = redactingEffects(
      { ...base, performHandoff: () => Promise.resolve({ status: 'failed', message: `gh pr create failed: HTTP 401 for ${SECRET}`, details: { step: 'pr create', exitCode: 1, stdout: [`token=${SECRET}`], nested: { url: `https://x:${SECRET}@github.com/a/b` } } }) },
      redact,
    );
    const out = await leaky.performHandoff(input);
    expect(out.status).toBe('failed');
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(out).toMatchObject({ message: 'gh pr create failed: HTTP 401 for [redacted]', details: { step: 'pr create', exitCode: 1 } });
  });

  it('leaves successful outcomes as they are (a lease path or a commit id is data, not text)', async () => {
    const effects = redactingEffects(createScriptedEffects(), redact);
    expect(await effects.acquireLease(input)).toEqual(await createScriptedEffects().acquireLease(input));
    expect(await effects.performHandoff(input)).toEqual(await createScriptedEffects().performHandoff(input));
  });

  it('rejects with the error redacted: same code for a BuranError (lease_lost stays lease_lost), no unredacted cause', async () => {
    const base = createScriptedEffects();
    const effects = redactingEffects(
      {
        ...base,
        runVerification: () => Promise.reject(new BuranError({ code: 'lease_lost', message: `worktree gone: ${SECRET}`, details: { stderr: SECRET } })),
        runReview: () => Promise.reject(new TypeError(`boom ${SECRET}`)),
      },
      redact,
    );
    const lost: unknown = await effects.runVerification(input).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(BuranError);
    expect((lost as BuranError).code).toBe('lease_lost');
    expect(JSON.stringify((lost as BuranError).toJSON())).not.toContain(SECRET);
    expect((lost as BuranError).cause).toBeUndefined();
    const other: unknown = await effects.runReview(input).catch((e: unknown) => e);
    expect(other).toMatchObject({ name: 'TypeError', message: 'boom [redacted]' });
  });

  it('redacts gate results of verification too (an allowlisted variable printed by a verify command)', async () => {
    const base = createScriptedEffects();
    const effects = redactingEffects({ ...base, runTaskVerification: async (i) => ({ ...(await base.runTaskVerification(i)), summary: `npm test printed ${SECRET}` }) }, redact);
    expect((await effects.runTaskVerification({ runId: 'r1', taskId: 't', epoch: 1, attemptId: 't.a1', grants: 0 })).summary).toBe('npm test printed [redacted]');
  });
});

describe('redactEvidence', () => {
  it('redacts every string of JSON evidence and keeps it JSON; other text is redacted as text', () => {
    const json = redactEvidence(JSON.stringify({ stdoutTail: `x ${SECRET}`, exitCode: 1, argv: ['echo', SECRET] }), redact);
    expect(JSON.parse(json)).toEqual({ stdoutTail: 'x [redacted]', exitCode: 1, argv: ['echo', '[redacted]'] });
    expect(redactEvidence(`plain ${SECRET}`, redact)).toBe('plain [redacted]');
  });
});
