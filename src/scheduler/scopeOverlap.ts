/**
 * Conservative overlap of two task scopes (sets of repo-relative path globs).
 *
 * Two scopes overlap when some path could be matched by a glob of each, as
 * the matcher (`src/gates/glob.ts`) reads them. A glob also covers everything
 * below what it matches (`src/api` means `src/api/**`), so a directory
 * overlaps anything inside it. `*`, `?`, `**` and literal text are decided
 * exactly, braces are expanded into their alternatives first; where exactness
 * would cost more than it is worth the check widens the glob and says
 * "overlap": a bracket expression is read as any one character, a brace range
 * (`{1..9}`) as `*`, a segment with an extglob as any segment, and a glob with
 * syntax the packet check refuses, more than MAX_ALTERNATIVES alternatives or
 * a `..` segment as every path. A glob with such syntax also matches its own
 * text as a path (picomatch's exact-match rule), which is one more alternative. A false overlap only costs parallelism, a
 * missed one lets two workers edit the same file at once.
 */
import { RANGE, bracketGroups, globSyntaxProblem } from '../domain/globSyntax.js';

/** One glob segment: a compiled `*`/`?`/literal pattern, `**`, or any one segment. */
type Segment =
  | { readonly kind: 'globstar' }
  | { readonly kind: 'any' }
  | { readonly kind: 'pattern'; readonly text: string };

const GLOBSTAR: Segment = { kind: 'globstar' };
const ANY: Segment = { kind: 'any' };
/** A glob read as every path. */
const EVERYTHING: Segment[][] = [[GLOBSTAR]];

/** Brace alternatives expanded per glob; past this the glob is read as every path. */
export const MAX_ALTERNATIVES = 256;

/**
 * The brace-free globs `glob` stands for (`{a,b}` -> a, b; a range -> `*`),
 * or null past MAX_ALTERNATIVES. Expects balanced groups (globSyntaxProblem).
 */
export function expandBraces(glob: string): string[] | null {
  const out: string[] = [];
  const pending = [glob];
  while (pending.length > 0) {
    const next = pending.pop() as string;
    // Braces inside brackets are characters, not alternatives: the outermost brace group outside brackets.
    const brace = outermostBrace(next);
    if (brace === null) {
      out.push(next);
      if (out.length > MAX_ALTERNATIVES) return null;
      continue;
    }
    const { start, end } = brace;
    const body = next.slice(start + 1, end);
    const before = next.slice(0, start);
    const after = next.slice(end + 1);
    const alternatives = RANGE.test(body) ? ['*'] : splitTopLevel(body);
    if (out.length + pending.length + alternatives.length > MAX_ALTERNATIVES) return null;
    for (const alternative of alternatives) pending.push(before + alternative + after);
  }
  return out;
}

/** The first brace group not nested in another group, or null. */
function outermostBrace(glob: string): { start: number; end: number } | null {
  let depth = 0;
  let start = -1;
  let inBracket = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (inBracket) {
      if (c === ']') inBracket = false;
      continue;
    }
    if (c === '[') inBracket = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) return { start, end: i };
    }
  }
  return null;
}

/** Splits brace content on commas outside nested groups. */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(body.slice(from));
  return parts;
}

/** One brace-free segment: `**`, any segment (extglob), or a pattern with each bracket expression read as `?`. */
function parseSegment(part: string): Segment {
  if (part === '**') return GLOBSTAR;
  if (/[()|]/.test(part)) return ANY;
  const groups = bracketGroups(part);
  if (typeof groups === 'string') return ANY;
  let text = part;
  for (const group of groups) if (group.open === '[') text = text.replace(`[${group.body}]`, '?');
  if (/[[\]{}]/.test(text)) return ANY;
  // `**` inside a segment (`a**b`) is just a star there.
  return { kind: 'pattern', text: text.replace(/\*+/g, '*') };
}

/** Syntax that makes a glob's own text a different path from what its pattern matches. */
const LITERAL_TOO = /[[\]{}()!+@|]/;

/** The alternatives of a glob, each as segments ending in `**` (everything under a match is covered too). */
function parseGlob(glob: string): Segment[][] {
  if (globSyntaxProblem(glob) !== null) return EVERYTHING;
  const expanded = expandBraces(glob);
  if (expanded === null) return EVERYTHING;
  const alternatives: Segment[][] = [];
  for (const alternative of expanded) {
    const parts = alternative.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) return EVERYTHING;
    alternatives.push([...parts.map(parseSegment), GLOBSTAR]);
  }
  // picomatch also matches a glob's own text as a path (`src/[ab].ts` matches the file named so): that reading too,
  // with brackets, braces and parens as plain characters (its `*` and `?` stay wildcards, which only widens it).
  if (LITERAL_TOO.test(glob)) {
    const parts = glob.split('/').filter((part) => part !== '' && part !== '.');
    alternatives.push([...parts.map((part): Segment => (part === '**' ? GLOBSTAR : { kind: 'pattern', text: part.replace(/\*+/g, '*') })), GLOBSTAR]);
  }
  return alternatives;
}

/** True when the two `*`/`?`/literal segment patterns can match one common string. */
export function segmentPatternsIntersect(p: string, q: string): boolean {
  // Reachability in the product of the two patterns' automata; state (i, j).
  const seen = new Set<number>();
  const width = q.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === p.length && j === q.length) return true;
    const a = p[i];
    const b = q[j];
    // A star may match the empty string.
    if (a === '*') stack.push([i + 1, j]);
    if (b === '*') stack.push([i, j + 1]);
    if (a === undefined || b === undefined) continue;
    // A star absorbs one character produced by the other side.
    if (a === '*' && b !== '*') stack.push([i, j + 1]);
    if (b === '*' && a !== '*') stack.push([i + 1, j]);
    if (a !== '*' && b !== '*' && (a === '?' || b === '?' || a === b)) stack.push([i + 1, j + 1]);
  }
  return false;
}

/** True when the two segments can match one common path segment. */
function segmentsIntersect(a: Segment, b: Segment): boolean {
  if (a.kind !== 'pattern' || b.kind !== 'pattern') return true;
  return segmentPatternsIntersect(a.text, b.text);
}

/** True when some path is matched by both parsed globs (`**` spans any number of segments). */
function globsIntersect(p: readonly Segment[], q: readonly Segment[]): boolean {
  const seen = new Set<number>();
  const width = q.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === p.length && j === q.length) return true;
    const a = p[i];
    const b = q[j];
    // `**` matching zero segments.
    if (a?.kind === 'globstar') stack.push([i + 1, j]);
    if (b?.kind === 'globstar') stack.push([i, j + 1]);
    if (a === undefined || b === undefined) continue;
    // `**` absorbing one segment the other side matches.
    if (a.kind === 'globstar' && b.kind !== 'globstar') stack.push([i, j + 1]);
    if (b.kind === 'globstar' && a.kind !== 'globstar') stack.push([i + 1, j]);
    if (a.kind !== 'globstar' && b.kind !== 'globstar' && segmentsIntersect(a, b)) {
      stack.push([i + 1, j + 1]);
    }
  }
  return false;
}

/**
 * Conservative: true unless no path can match a glob of both scopes; an empty scope overlaps nothing.
 * @example
 * scopesOverlap(['src/api/**'], ['src/api/index.ts']); // true
 * scopesOverlap(['src/api/**'], ['docs/**']); // false
 */
export function scopesOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const left = a.flatMap(parseGlob);
  const right = b.flatMap(parseGlob);
  return left.some((p) => right.some((q) => globsIntersect(p, q)));
}
