import { describe, expect, it } from 'vitest';
import { matchGlob } from '../../src/gates/glob.js';
import { scopesOverlap, segmentPatternsIntersect } from '../../src/scheduler/index.js';

describe('scopesOverlap', () => {
  it('says identical literal paths overlap and different ones do not', () => {
    expect(scopesOverlap(['src/a.ts'], ['src/a.ts'])).toBe(true);
    expect(scopesOverlap(['src/a.ts'], ['src/b.ts'])).toBe(false);
  });

  it('treats a plain directory as everything under it, in either argument order', () => {
    expect(scopesOverlap(['src/api'], ['src/api/users/handler.ts'])).toBe(true);
    expect(scopesOverlap(['src/api/users/handler.ts'], ['src/api'])).toBe(true);
    expect(scopesOverlap(['src/api'], ['src/apiv2/x.ts'])).toBe(false);
  });

  it('lets ** span zero or more segments', () => {
    expect(scopesOverlap(['src/**'], ['src/a/b/c.ts'])).toBe(true);
    expect(scopesOverlap(['**/*.test.ts'], ['test/scheduler/ready.test.ts'])).toBe(true);
    expect(scopesOverlap(['**/*.test.ts'], ['x.test.ts'])).toBe(true);
    expect(scopesOverlap(['src/**/index.ts'], ['src/index.ts'])).toBe(true);
    expect(scopesOverlap(['src/**'], ['test/**'])).toBe(false);
    expect(scopesOverlap(['**'], ['anything/at/all'])).toBe(true);
  });

  it('says *.ts and *.md do not overlap but *.ts and a*.ts do', () => {
    expect(scopesOverlap(['*.ts'], ['*.md'])).toBe(false);
    expect(scopesOverlap(['*.ts'], ['a*.ts'])).toBe(true);
    expect(scopesOverlap(['src/*.ts'], ['src/*.md'])).toBe(false);
  });

  it('tests a literal segment against a wildcard segment exactly', () => {
    expect(scopesOverlap(['*.ts'], ['a.md'])).toBe(false);
    expect(scopesOverlap(['a/*.ts'], ['a/b.ts'])).toBe(true);
    expect(scopesOverlap(['a/*.ts'], ['a/b.md'])).toBe(false);
    expect(scopesOverlap(['a/?.ts'], ['a/bc.ts'])).toBe(false);
    expect(scopesOverlap(['a/?.ts'], ['a/b.ts'])).toBe(true);
  });

  it('matches * within one segment only, so *.ts does not reach into subdirectories', () => {
    expect(scopesOverlap(['*.ts'], ['src/a.ts'])).toBe(false);
    expect(scopesOverlap(['a/*.ts'], ['a/b/c.ts'])).toBe(false);
  });

  it('ignores a ./ prefix, a leading /, doubled and trailing slashes', () => {
    expect(scopesOverlap(['./a'], ['a/b.ts'])).toBe(true);
    expect(scopesOverlap(['./src/api/'], ['src//api/x.ts'])).toBe(true);
    expect(scopesOverlap(['./docs/'], ['src/docs'])).toBe(false);
  });

  it('says an empty scope overlaps nothing, not even the whole repo', () => {
    expect(scopesOverlap([], ['**'])).toBe(false);
    expect(scopesOverlap(['**'], [])).toBe(false);
    expect(scopesOverlap([], [])).toBe(false);
  });

  it('treats the repo root (".", "./") as overlapping any non-empty scope', () => {
    expect(scopesOverlap(['.'], ['deep/file.ts'])).toBe(true);
    expect(scopesOverlap(['./'], ['x'])).toBe(true);
  });

  it('overlaps when any glob of one scope meets any glob of the other', () => {
    expect(scopesOverlap(['docs/**', 'src/a.ts'], ['test/**', 'src/*.ts'])).toBe(true);
    expect(scopesOverlap(['docs/**', 'src/a.ts'], ['test/**', 'src/*.md'])).toBe(false);
  });

  it('decides braces exactly by expanding them', () => {
    expect(scopesOverlap(['src/{a,b}.ts'], ['src/c.ts'])).toBe(false);
    expect(scopesOverlap(['src/{a,b}.ts'], ['src/b.ts'])).toBe(true);
    expect(scopesOverlap(['src/*.{js,ts}'], ['src/*.md'])).toBe(false);
    expect(scopesOverlap(['src/**/*.{js,ts}'], ['src/a/*.ts'])).toBe(true);
    expect(scopesOverlap(['{src,lib}/**'], ['lib/x.ts'])).toBe(true);
    expect(scopesOverlap(['{src/api,lib}/*.ts'], ['src/api/x.ts'])).toBe(true);
    expect(scopesOverlap(['{src/api,lib}/*.ts'], ['src/web/x.ts'])).toBe(false);
    expect(scopesOverlap(['src/{a,{b,c}}.ts'], ['src/c.ts'])).toBe(true);
  });

  it('errs towards overlap where it widens: brackets, ranges, extglobs, refused syntax, paths with ..', () => {
    // A bracket expression is read as any one character.
    expect(scopesOverlap(['src/[ab].ts'], ['src/c.ts'])).toBe(true);
    expect(scopesOverlap(['src/[ab].ts'], ['src/cd.ts'])).toBe(false);
    // A range is read as `*`.
    expect(scopesOverlap(['f{1..3}.ts'], ['f9.ts'])).toBe(true);
    expect(scopesOverlap(['f{1..3}.ts'], ['g1.ts'])).toBe(false);
    // An extglob segment is read as any segment.
    expect(scopesOverlap(['src/@(a|b).ts'], ['src/c.md'])).toBe(true);
    expect(scopesOverlap(['src/@(a|b).ts'], ['docs/a.ts'])).toBe(false);
    // Syntax the packet check refuses, and .., are read as every path.
    expect(scopesOverlap(['!src/**'], ['docs/y.md'])).toBe(true);
    expect(scopesOverlap(['src/{a}.ts'], ['docs/y.md'])).toBe(true);
    expect(scopesOverlap(['src/../lib/x.ts'], ['docs/y.md'])).toBe(true);
    // ...but still separates segments it does model.
    expect(scopesOverlap(['src/[ab].ts'], ['docs/c.ts'])).toBe(false);
  });

  it("sees the path a glob's own text names, which the matcher matches too", () => {
    expect(matchGlob('src/[ab].ts', 'src/[ab].ts')).toBe(true);
    expect(scopesOverlap(['src/[ab].ts'], ['src/?ab?.ts'])).toBe(true);
    expect(matchGlob('src/{a,b}.ts', 'src/{a,b}.ts')).toBe(true);
    expect(matchGlob('src/?a?b?.ts', 'src/{a,b}.ts')).toBe(true);
    expect(scopesOverlap(['src/{a,b}.ts'], ['src/?a?b?.ts'])).toBe(true);
  });

  it('reads a glob with too many brace alternatives as every path', () => {
    const many = `{${Array.from({ length: 20 }, (_, i) => `d${i}`).join(',')}}/{${Array.from({ length: 20 }, (_, i) => `f${i}`).join(',')}}.ts`;
    expect(scopesOverlap([many], ['elsewhere/x.md'])).toBe(true);
    expect(scopesOverlap(['{a,b}/{c,d}.ts'], ['elsewhere/x.md'])).toBe(false);
  });

  it('never misses an overlap the matcher shows: a path matched by a glob of each scope', () => {
    // Seeded generator of small globs over a tiny alphabet, so shared matches are common.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(items: readonly T[]): T => items[next(items.length)] as T;
    const segmentParts = ['a', 'b', '*', '?', '[ab]', '[!a]', '{a,b}', '{a,bb}', '@(a|b)', '.', 'x'];
    const glob = () =>
      Array.from({ length: 1 + next(3) }, () => (next(6) === 0 ? '**' : Array.from({ length: 1 + next(2) }, () => pick(segmentParts)).join(''))).join('/');
    const path = () => Array.from({ length: 1 + next(3) }, () => Array.from({ length: 1 + next(2) }, () => pick(['a', 'b', 'x', '.', '[ab]', '{a,b}'])).join('')).join('/');
    const globs = Array.from({ length: 60 }, glob);
    const paths = Array.from({ length: 200 }, path);
    let shared = 0;
    for (const a of globs) {
      for (const b of globs) {
        const witness = paths.find((p) => matchGlob(a, p) && matchGlob(b, p));
        if (witness === undefined) continue;
        shared++;
        expect(scopesOverlap([a], [b]), `${a} and ${b} both match ${witness}`).toBe(true);
      }
    }
    // The generator must produce shared matches for the check to mean anything.
    expect(shared).toBeGreaterThan(100);
  });

  it('is symmetric', () => {
    const globs = ['src/**', '*.ts', 'a/*.ts', 'a/b.ts', './a', 'src/api', 'docs/*.md', '**/x?.ts', '{a,b}/*.ts', 'a/[xy].ts', 'a/@(b|c)'];
    for (const a of globs) {
      for (const b of globs) expect(scopesOverlap([a], [b])).toBe(scopesOverlap([b], [a]));
    }
  });
});

describe('segmentPatternsIntersect', () => {
  it('finds a common string for two wildcard patterns when one exists', () => {
    expect(segmentPatternsIntersect('a*', '*b')).toBe(true); // "ab"
    expect(segmentPatternsIntersect('*.test.ts', '*.ts')).toBe(true);
    expect(segmentPatternsIntersect('a*c', 'ab?')).toBe(true); // "abc"
    expect(segmentPatternsIntersect('*', '')).toBe(true);
  });

  it('rejects wildcard patterns that cannot match a common string', () => {
    expect(segmentPatternsIntersect('a*', 'b*')).toBe(false);
    expect(segmentPatternsIntersect('*.ts', '*.md')).toBe(false);
    expect(segmentPatternsIntersect('??', 'a')).toBe(false);
    expect(segmentPatternsIntersect('a?c', 'a?d')).toBe(false);
  });
});
