import { describe, expect, it } from 'vitest';
import type { GateResult, ReviewerVerdict } from '../../src/domain/gates.js';
import { decideQuorum, neededPasses } from '../../src/gates/quorum.js';

const builtin: GateResult = { gate: 'review', subject: 'task', taskId: 't', epoch: 1, status: 'PASS', summary: 'built-in review passed', findings: [], policyViolations: [], evidence: [] };
const hash = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0.5, unknownAttempts: 0 };

function verdict(reviewer: string, status: ReviewerVerdict['status'], messages: string[] = [], n = 1): ReviewerVerdict {
  return {
    reviewer,
    adapter: 'command',
    status,
    summary: `${reviewer} said ${status}`,
    findings: messages.map((message) => ({ message, severity: status === 'FAIL' ? 'error' : 'warning', rule: 'agent_review' })),
    evidence: [{ kind: 'review', hash: hash(n), label: `reviewer ${reviewer}` }],
    usage,
  };
}
const builtinVerdict: ReviewerVerdict = { reviewer: 'builtin', adapter: 'builtin', status: 'PASS', summary: 'built-in review passed', findings: [], evidence: [] };

describe('a review quorum', () => {
  it('"all" passes only when every reviewer passes', () => {
    expect(decideQuorum({ builtin, verdicts: [verdict('a', 'PASS'), verdict('b', 'PASS')], require: 'all' }).status).toBe('PASS');
    const gate = decideQuorum({ builtin, verdicts: [verdict('a', 'PASS'), verdict('b', 'FAIL', ['wrong'])], require: 'all' });
    expect(gate.status).toBe('FAIL');
    expect(gate.quorum).toMatchObject({ needed: 2, passes: 1, met: false, failed: ['b'], blocked: [], carried: false });
  });

  it('n passes with n PASS verdicts and keeps the outvoted FAIL in its reviewer record, not in the gate findings', () => {
    const gate = decideQuorum({ builtin, verdicts: [verdict('a', 'PASS', ['a note']), verdict('b', 'FAIL', ['wrong']), verdict('c', 'PASS')], require: 2 });
    expect(gate.status).toBe('PASS');
    expect(gate.findings.map((f) => f.message)).toEqual(['a: a note']);
    expect(gate.reviewers?.find((r) => r.reviewer === 'b')?.findings[0]?.message).toBe('wrong');
    expect(gate.quorum).toMatchObject({ require: 2, needed: 2, passes: 2, met: true, failed: ['b'] });
  });

  it('merges the findings of every FAILing reviewer into one FAIL, each naming its reviewer', () => {
    const gate = decideQuorum({ builtin, verdicts: [verdict('a', 'FAIL', ['one', 'two']), verdict('b', 'FAIL', ['three']), verdict('c', 'PASS', ['note'])], require: 2 });
    expect(gate.status).toBe('FAIL');
    expect(gate.findings.map((f) => f.message)).toEqual(['a: one', 'a: two', 'b: three']);
  });

  it('a BLOCKED reviewer blocks the gate when the quorum is not met without it, and the record names it', () => {
    const gate = decideQuorum({ builtin, verdicts: [verdict('a', 'PASS'), verdict('b', 'BLOCKED')], require: 'all' });
    expect(gate.status).toBe('BLOCKED');
    expect(gate.quorum).toMatchObject({ met: false, blocked: ['b'], carried: false });
    expect(gate.summary).toContain('BLOCKED the gate: b');
    expect(gate.findings).toEqual([]);
  });

  it('a BLOCKED reviewer does not block when the quorum is met without it: the record says the quorum carried it', () => {
    const gate = decideQuorum({ builtin, verdicts: [verdict('a', 'PASS'), verdict('b', 'BLOCKED'), verdict('c', 'PASS')], require: 2 });
    expect(gate.status).toBe('PASS');
    expect(gate.quorum).toMatchObject({ met: true, blocked: ['b'], carried: true });
    expect(gate.summary).toContain('BLOCKED but carried by the quorum: b');
  });

  it('blocks rather than fails when a FAIL and a BLOCKED leave the quorum unmet (the blocked reviewer could not be heard)', () => {
    expect(decideQuorum({ builtin, verdicts: [verdict('a', 'FAIL', ['x']), verdict('b', 'BLOCKED')], require: 1 }).status).toBe('BLOCKED');
  });

  it("counts the listed built-in reviewer's PASS toward the quorum", () => {
    const gate = decideQuorum({ builtin, verdicts: [builtinVerdict, verdict('a', 'FAIL', ['x'])], require: 1 });
    expect(gate.status).toBe('PASS');
    expect(gate.quorum?.passes).toBe(1);
  });

  it("adds every reviewer's spend, an unknown one as unknown, and keeps every reviewer's evidence", () => {
    const gate = decideQuorum({ builtin, verdicts: [builtinVerdict, verdict('a', 'PASS', [], 1), { ...verdict('b', 'PASS', [], 2), usage: null }], require: 'all' });
    expect(gate.usage).toEqual({ inputTokens: 10, outputTokens: 5, costUsd: 0.5, unknownAttempts: 1 });
    expect(gate.evidence.map((e) => e.hash)).toEqual([hash(1), hash(2)]);
    expect(decideQuorum({ builtin, verdicts: [builtinVerdict], require: 'all' }).usage).toBeUndefined();
  });

  it('needs every reviewer for "all" and the count otherwise', () => {
    expect(neededPasses('all', 3)).toBe(3);
    expect(neededPasses(2, 3)).toBe(2);
  });
});
