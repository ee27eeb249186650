import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errnoCode } from '../../src/platform/errno.js';

describe('errnoCode', () => {
  it('reads the code of a real Node system error', () => {
    let caught: unknown;
    try {
      readFileSync('/nonexistent/buran/errno-test');
    } catch (error) {
      caught = error;
    }
    expect(errnoCode(caught)).toBe('ENOENT');
  });

  it('is undefined for values that carry no string code', () => {
    expect(errnoCode(new Error('plain'))).toBeUndefined();
    expect(errnoCode({ code: 42 })).toBeUndefined();
    expect(errnoCode(null)).toBeUndefined();
    expect(errnoCode('ENOENT')).toBeUndefined();
  });
});
