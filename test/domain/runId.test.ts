import { describe, expect, it } from 'vitest';
import { RUN_ID_PATTERN, isRunId } from '../../src/domain/runId.js';

describe('run ids', () => {
  it('accepts slugs of 1-64 characters a-z, 0-9 and "-" that start with a letter or digit', () => {
    for (const id of ['a', '0', 'run-20250101-abc', 'x'.repeat(64)]) expect(isRunId(id), id).toBe(true);
  });

  it('rejects anything that could be a path, an option or shell text', () => {
    for (const id of ['', '-run', 'Run', 'a/b', '../x', 'a b', 'x'.repeat(65), 'a_b']) expect(isRunId(id), id).toBe(false);
    expect(isRunId(42)).toBe(false);
    expect(RUN_ID_PATTERN.test('run-1')).toBe(true);
  });
});
