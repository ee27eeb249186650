/**
 * A small glob matcher for repo-relative paths. Pure.
 *
 * - `*` matches any run of characters within one segment, `?` one character;
 * - `**` as a whole segment matches any number of segments (zero included);
 * - a glob also covers everything below what it matches (`src/api` covers
 *   `src/api/x.ts`), the same reading as `scopesOverlap`.
 *
 * Other glob syntax (`[...]`, `{a,b}`, `!`, `\`) is not modelled. The caller
 * picks how a segment using it is read, and picks the safe side: scope globs
 * read it literally (a path then falls outside the scope and is reported),
 * protection globs read it as "any segment" (more is protected, never less).
 */

export type UnmodelledSyntax = 'literal' | 'any-segment';

const UNMODELLED = /[[\]{}()!\\]/;

/** Splits a path or glob into segments, dropping `./`, empty and `.` segments. */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** True when one `*`/`?`/literal segment pattern matches `text` entirely. */
export function segmentMatches(pattern: string, text: string): boolean {
  // Iterative wildcard match with single-star backtracking; linear in practice.
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** True when `glob` matches `path` or a directory above it. */
export function matchGlob(glob: string, path: string, unmodelled: UnmodelledSyntax = 'literal'): boolean {
  const g = pathSegments(glob);
  const s = pathSegments(path);
  if (g.length === 0) return false;
  const segmentOk = (pattern: string, text: string): boolean => {
    if (UNMODELLED.test(pattern)) return unmodelled === 'any-segment' || pattern === text;
    return segmentMatches(pattern.replace(/\*{2,}/g, '*'), text);
  };
  // match[i][j]: glob segments from i match path segments from j, the path possibly continuing below.
  const memo = new Map<number, boolean>();
  const width = s.length + 1;
  const match = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const segment = g[i];
    if (segment === undefined) result = j > 0 || s.length === 0;
    else if (segment === '**') result = match(i + 1, j) || (j < s.length && match(i, j + 1));
    else {
      const text = s[j];
      result = text !== undefined && segmentOk(segment, text) && match(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

/** The first glob of `globs` that matches `path`, or null. */
export function firstMatch(globs: readonly string[], path: string, unmodelled: UnmodelledSyntax = 'literal'): string | null {
  return globs.find((glob) => matchGlob(glob, path, unmodelled)) ?? null;
}
