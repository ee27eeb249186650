import { describe, expect, it } from 'vitest';
import { type ExpectedAttempt, MAX_SUMMARY_CHARS, checkCompletion } from '../../src/domain/completion.js';

const expected: ExpectedAttempt = { runId: 'run-1', taskId: 'a', attemptId: 'att-1', epoch: 2 };

function completion(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { schema: 'buran.completion/v1', ...expected, status: 'completed', summary: 'Added the helper and its tests.', ...overrides };
}

describe('checkCompletion', () => {
  it('accepts a valid completion for the expected attempt', () => {
    const raw = completion({ changedFiles: ['src/a.ts'], notes: 'none', usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 } });
    const check = checkCompletion(raw, expected);
    expect(check).toEqual({ completion: raw, problems: [], mismatch: false });
  });

  it.each(['completed', 'failed', 'blocked'])('accepts status %s', (status) => {
    expect(checkCompletion(completion({ status }), expected).completion?.status).toBe(status);
  });

  it('rejects an unknown status, an unknown field and a missing summary, all at once', () => {
    const { summary: _summary, ...raw } = completion({ status: 'done', extra: 1 });
    const check = checkCompletion(raw, expected);
    expect(check.completion).toBeNull();
    expect(check.mismatch).toBe(false);
    expect(check.problems.map((p) => p.path).sort()).toEqual(['extra', 'status', 'summary']);
  });

  it('rejects a summary longer than the limit', () => {
    const check = checkCompletion(completion({ summary: 'x'.repeat(MAX_SUMMARY_CHARS + 1) }), expected);
    expect(check.problems.map((p) => p.path)).toEqual(['summary']);
  });

  it('rejects an epoch below 1, negative usage and unknown usage fields', () => {
    const check = checkCompletion(completion({ epoch: 0, usage: { inputTokens: -1, outputTokens: 0, costUsd: 0, unknownAttempts: 0 } }), expected);
    expect(check.problems.map((p) => p.path).sort()).toEqual(['epoch', 'usage.inputTokens', 'usage.unknownAttempts']);
  });

  it('rejects a __proto__ key written by a worker', () => {
    const raw: unknown = JSON.parse(JSON.stringify(completion()).replace('{', '{"__proto__":{"status":"completed"},'));
    expect(checkCompletion(raw, expected).problems).toMatchObject([{ path: '__proto__', code: 'forbidden_key' }]);
  });

  it('flags a valid completion that names another attempt as a mismatch, naming each field', () => {
    const check = checkCompletion(completion({ attemptId: 'att-0', epoch: 1 }), expected);
    expect(check.completion).toBeNull();
    expect(check.mismatch).toBe(true);
    expect(check.problems).toMatchObject([
      { path: 'attemptId', code: 'mismatch' },
      { path: 'epoch', code: 'mismatch' },
    ]);
    expect(check.problems[0]?.message).toBe('names "att-0" but the attempt expects "att-1"');
  });

  it('flags a completion for another run or task as a mismatch', () => {
    expect(checkCompletion(completion({ runId: 'run-2' }), expected).mismatch).toBe(true);
    expect(checkCompletion(completion({ taskId: 'b' }), expected).mismatch).toBe(true);
  });
});
