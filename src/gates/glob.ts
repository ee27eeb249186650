/**
 * Glob matching for repo-relative paths, by picomatch. Pure.
 *
 * - `*`, `?`, `**`, braces (`{a,b}`, `{1..3}`), brackets (`[ab]`, `[!a]`,
 *   `[[:alpha:]]`) and extglobs (`@(a|b)`, `!(x)`, `+(x)`, ...) as in bash;
 * - dot files match like any other (`*.ts` matches `.eslintrc.ts`);
 * - a glob also covers everything below what it matches (`src/api` covers
 *   `src/api/x.ts`), the same reading as `scopesOverlap`.
 *
 * What is still not supported (see `globSyntaxProblem`) is refused when a
 * packet is checked. A glob that reaches the matcher anyway is read on the
 * side the caller picks: scope globs literally (a path then falls outside the
 * scope and is reported), protection globs with each segment using the
 * syntax read as "any segment" (more is protected, never less).
 */
import picomatch from 'picomatch/posix.js';
import { globSyntaxProblem } from '../domain/globSyntax.js';

export type UnmodelledSyntax = 'literal' | 'any-segment';

/** Splits a path or glob into segments, dropping `./`, empty and `.` segments. */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * picomatch's options for every glob here: dot files match, `[!a]` and
 * `[[:alpha:]]` read as in bash (`posix`), and `/` is the only separator
 * whatever the platform (the posix entry point).
 */
const OPTIONS: picomatch.PicomatchOptions = { dot: true, posix: true, strictBrackets: true };

type Matcher = (path: string) => boolean;
const compiled = new Map<string, Matcher>();
/** Compiled matchers are kept for reuse; a bound keeps hostile input from growing the cache. */
const CACHE_LIMIT = 1000;

function matcherOf(glob: string): Matcher {
  let matcher = compiled.get(glob);
  if (matcher === undefined) {
    matcher = picomatch(glob, OPTIONS);
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    compiled.set(glob, matcher);
  }
  return matcher;
}

/** Each segment of a normalized glob that uses special syntax, read as `*` (any one segment). */
function anySegmentReading(segments: readonly string[]): string {
  return segments.map((part) => (/[!"[\](){}|]/.test(part) ? '*' : part)).join('/');
}

/** True when `glob` matches `path` or a directory above it. */
export function matchGlob(glob: string, path: string, unmodelled: UnmodelledSyntax = 'literal'): boolean {
  const g = pathSegments(glob);
  const s = pathSegments(path);
  if (g.length === 0 || s.length === 0) return false;
  let matches: Matcher;
  if (globSyntaxProblem(glob) === null) matches = matcherOf(g.join('/'));
  else if (unmodelled === 'any-segment') matches = matcherOf(anySegmentReading(g));
  else {
    const literal = g.join('/');
    matches = (candidate) => candidate === literal;
  }
  for (let depth = 1; depth <= s.length; depth++) {
    if (matches(s.slice(0, depth).join('/'))) return true;
  }
  return false;
}

/** The first glob of `globs` that matches `path`, or null. */
export function firstMatch(globs: readonly string[], path: string, unmodelled: UnmodelledSyntax = 'literal'): string | null {
  return globs.find((glob) => matchGlob(glob, path, unmodelled)) ?? null;
}
