// The agent reviewer's gate logic with a stand-in reviewer run: one try per
// folder, recorded results returned as is, fail-closed on what it cannot see.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GateResult } from '../../src/domain/gates.js';
import { redactSecrets } from '../../src/domain/redact.js';
import { type AgentReviewInput, agentReview } from '../../src/gates/agentReviewer.js';
import { MAX_REVIEW_DIFF_CHARS } from '../../src/gates/reviewPrompt.js';
import type { ReviewerRun } from '../../src/worker/reviewAttempt.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop() ?? '', { recursive: true, force: true });
});

const builtin: GateResult = { gate: 'review', subject: 'task', taskId: 'alpha', epoch: 1, status: 'PASS', summary: 'built-in review passed', findings: [], policyViolations: [], evidence: [] };

/** A reviewer run that ended in success with `message` as its final message. */
function ended(message: string): ReviewerRun {
  return {
    kind: 'ended',
    outcome: { kind: 'completion', status: 'completed', digest: 'sha256:x', summary: message, changedFiles: [], usage: null },
    result: { state: 'success', message, sessionId: 's', inputTokens: 10, outputTokens: 5, costUsd: 0.01, permissionDenials: [], detail: '', evidence: 'line' },
  };
}
const verdictOf = (prompt: string, verdict: string, extra: Record<string, unknown> = {}) => {
  const reviewId = [...prompt.matchAll(/`reviewId`: exactly `([^`]+)`/g)].at(-1)?.[1] ?? '';
  return `\`\`\`json\n${JSON.stringify({ reviewId, verdict, findings: [], ...extra })}\n\`\`\``;
};

function setup(over: Partial<AgentReviewInput> & { answer?: (prompt: string) => string } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'buran-agent-review-'));
  dirs.push(root);
  const runs: string[] = [];
  const evidence: string[] = [];
  const input: AgentReviewInput = {
    builtin,
    reviewer: 'claude',
    dir: join(root, 'review.alpha.a1.e1.t1'),
    prompt: { subject: 'task', epoch: 1, packet: { title: 'T', goal: 'G' }, tasks: [], verification: [['true']], builtinSummary: builtin.summary, diff: '+hello\n' },
    run: (dir, prompt) => {
      runs.push(dir);
      return Promise.resolve(ended((over.answer ?? ((p) => verdictOf(p, 'PASS')))(prompt)));
    },
    workspaceState: () => Promise.resolve('HEAD\nclean'),
    putEvidence: (text) => {
      evidence.push(text);
      return Promise.resolve(`sha256:${String(evidence.length).padStart(64, '0')}`);
    },
    redact: (text) => redactSecrets(text, { known: ['hunter2-secret-value'] }),
    ...over,
  };
  return { input, runs, evidence };
}

describe('agentReview', () => {
  it('a restart after a recorded BLOCKED returns that BLOCKED and starts no second reviewer', async () => {
    const { input, runs } = setup({ answer: () => 'no verdict here' });
    expect((await agentReview(input)).status).toBe('BLOCKED');
    expect((await agentReview(input)).status).toBe('BLOCKED');
    expect(runs).toEqual([input.dir]);
    expect(existsSync(input.dir.replace(/t1$/, 't2'))).toBe(false);
  });

  it('a PASS on a diff cut for the prompt is BLOCKED, with a finding that the diff was too large to review', async () => {
    const { input } = setup();
    const gate = await agentReview({ ...input, prompt: { ...input.prompt, diff: 'x'.repeat(MAX_REVIEW_DIFF_CHARS + 1) } });
    expect(gate.status).toBe('BLOCKED');
    expect(gate.findings).toEqual([expect.objectContaining({ severity: 'error', rule: 'review_diff_too_large' })]);
    expect(gate.usage).toEqual({ inputTokens: 10, outputTokens: 5, costUsd: 0.01, unknownAttempts: 0 });
  });

  it('a FAIL on a cut diff stays FAIL (its findings are still worth fixing)', async () => {
    const fail = { findings: [{ severity: 'error', message: 'wrong' }] };
    const { input } = setup({ answer: (p) => verdictOf(p, 'FAIL', fail) });
    const gate = await agentReview({ ...input, prompt: { ...input.prompt, diff: 'x'.repeat(MAX_REVIEW_DIFF_CHARS + 1) } });
    expect(gate.status).toBe('FAIL');
  });

  it('a workspace that cannot be read before the review is BLOCKED and no reviewer starts', async () => {
    const { input, runs } = setup({ workspaceState: () => Promise.reject(new Error('git status exited 128')) });
    const gate = await agentReview(input);
    expect(gate.status).toBe('BLOCKED');
    expect(gate.summary).toContain('git status exited 128');
    expect(runs).toEqual([]);
  });

  it('a workspace that cannot be read after the review is BLOCKED, never PASS', async () => {
    let calls = 0;
    const { input } = setup({ workspaceState: () => (++calls === 1 ? Promise.resolve('HEAD\nclean') : Promise.reject(new Error('git rev-parse exited 128'))) });
    const gate = await agentReview(input);
    expect(gate.status).toBe('BLOCKED');
    expect(gate.summary).toContain('cannot be read after the review');
  });

  it("the reviewer's final message is stored as evidence without the runner's secrets", async () => {
    const { input, evidence } = setup({ answer: (p) => `token hunter2-secret-value and sk-abcdefghijklmnop1234\n${verdictOf(p, 'PASS')}` });
    expect((await agentReview(input)).status).toBe('PASS');
    expect(evidence.join('')).not.toContain('hunter2-secret-value');
    expect(evidence.join('')).not.toContain('sk-abcdefghijklmnop1234');
    expect(readFileSync(join(input.dir, 'gate.json'), 'utf8')).not.toContain('hunter2');
  });
});
