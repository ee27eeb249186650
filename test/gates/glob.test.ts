import { describe, expect, it } from 'vitest';
import { firstMatch, matchGlob } from '../../src/gates/glob.js';

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

  it.each([
    ['src/**/*.{js,ts}', 'src/a/b.ts', true],
    ['src/**/*.{js,ts}', 'src/b.js', true],
    ['src/**/*.{js,ts}', 'src/b.md', false],
    ['{src,test}/**', 'test/x.ts', true],
    ['{src,test}/**', 'docs/x.md', false],
    ['{src/api,lib}/*.ts', 'src/api/x.ts', true],
    ['f{1..3}.ts', 'f2.ts', true],
    ['f{1..3}.ts', 'f4.ts', false],
    ['src/[ab].ts', 'src/a.ts', true],
    ['src/[ab].ts', 'src/c.ts', false],
    ['src/[!a].ts', 'src/b.ts', true],
    ['src/[!a].ts', 'src/a.ts', false],
    ['src/[[:digit:]].ts', 'src/7.ts', true],
    ['src/@(a|b).ts', 'src/b.ts', true],
    ['src/!(a).ts', 'src/a.ts', false],
    ['src/!(a).ts', 'src/b.ts', true],
    ['src/+(a).ts', 'src/aaa.ts', true],
  ])('reads brace, bracket and extglob syntax: %s matches %s: %s', (glob, path, expected) => {
    expect(matchGlob(glob, path)).toBe(expected);
  });

  it('matches dot files and dot folders like any other', () => {
    expect(matchGlob('*.ts', '.eslintrc.ts')).toBe(true);
    expect(matchGlob('src/**', 'src/.hidden/x.ts')).toBe(true);
    expect(matchGlob('**/*.json', '.vscode/settings.json')).toBe(true);
  });

  it('covers everything below what a brace or bracket glob matches', () => {
    expect(matchGlob('{src,lib}', 'lib/deep/x.ts')).toBe(true);
    expect(matchGlob('pkg[12]', 'pkg2/index.ts')).toBe(true);
  });

  it('reads unsupported syntax literally for scopes and as any segment for protection', () => {
    // Braces with one alternative are refused by the packet check; a glob that gets here anyway fails closed.
    expect(matchGlob('src/{a}.ts', 'src/a.ts', 'literal')).toBe(false);
    expect(matchGlob('src/{a}.ts', 'src/{a}.ts', 'literal')).toBe(true);
    expect(matchGlob('src/{a}.ts', 'src/a.ts', 'any-segment')).toBe(true);
    expect(matchGlob('!test/**', 'src/a.ts', 'literal')).toBe(false);
    expect(matchGlob('src/[ab.ts', 'src/x.ts', 'any-segment')).toBe(true);
    expect(matchGlob('src/[ab.ts', 'docs/x.ts', 'any-segment')).toBe(false);
  });

  it('matches nothing for an empty glob or path', () => {
    expect(matchGlob('.', 'src/a.ts')).toBe(false);
    expect(matchGlob('src', '')).toBe(false);
  });
});

describe('firstMatch', () => {
  it('names the first glob that matches', () => {
    expect(firstMatch(['docs/**', 'src/*.{js,ts}'], 'src/a.ts')).toBe('src/*.{js,ts}');
    expect(firstMatch(['docs/**'], 'src/a.ts')).toBeNull();
  });
});
