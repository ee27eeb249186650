import { describe, expect, it } from 'vitest';
import { matchGlob, segmentMatches } from '../../src/gates/glob.js';

describe('matchGlob', () => {
  it.each([
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/a/b.ts', false],
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/a/b/c.ts', true],
    ['src/**', 'src/a/b', true],
    ['**/package.json', 'package.json', true],
    ['**/package.json', 'packages/x/package.json', true],
    ['package.json', 'packages/x/package.json', false],
    ['src/api', 'src/api/users.ts', true],
    ['src/api', 'src/apis/users.ts', false],
    ['./src//api/', 'src/api/x', true],
    ['tsconfig*.json', 'tsconfig.build.json', true],
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file12.txt', false],
    ['.github/**', '.github/workflows/ci.yml', true],
    ['vitest.config.*', 'vitest.config.ts', true],
    ['a**b', 'axxb', true],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(matchGlob(glob, path)).toBe(expected);
  });

  it('reads unmodelled syntax literally for scopes and as any segment for protection', () => {
    expect(matchGlob('src/{a,b}.ts', 'src/a.ts', 'literal')).toBe(false);
    expect(matchGlob('src/{a,b}.ts', 'src/a.ts', 'any-segment')).toBe(true);
    expect(matchGlob('src/[ab].ts', 'src/[ab].ts', 'literal')).toBe(true);
  });
});

describe('segmentMatches', () => {
  it('backtracks over stars', () => {
    expect(segmentMatches('*a*b', 'xaxab')).toBe(true);
    expect(segmentMatches('*a*b', 'xaxa')).toBe(false);
    expect(segmentMatches('', '')).toBe(true);
  });
});
