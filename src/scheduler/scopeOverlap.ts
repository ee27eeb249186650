/**
 * Conservative overlap of two task scopes (sets of repo-relative path globs).
 *
 * Two scopes overlap when some path could be matched by a glob of each. A glob
 * also covers everything below what it matches (`src/api` means `src/api/**`),
 * so a directory overlaps anything inside it. When the answer is unclear the
 * check says "overlap": a false overlap only costs parallelism, a missed one
 * lets two workers edit the same file at once.
 */

/** One glob segment: a compiled `*`/`?`/literal pattern, `**`, or unknown syntax. */
type Segment =
  | { readonly kind: 'globstar' }
  | { readonly kind: 'any' }
  | { readonly kind: 'pattern'; readonly text: string };

const GLOBSTAR: Segment = { kind: 'globstar' };
const ANY: Segment = { kind: 'any' };

/** Glob syntax this module does not model (classes, braces, extglobs, escapes, negation). */
const UNMODELLED = /[[\]{}()\\!]/;

/** Splits a glob into segments after dropping `./`, leading/trailing and doubled `/`; `..` escapes to match-all. */
function parseGlob(glob: string): Segment[] {
  const parts = glob.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return [GLOBSTAR];
  const segments = parts.map((part): Segment => {
    if (part === '**') return GLOBSTAR;
    if (UNMODELLED.test(part)) return ANY;
    // `**` inside a segment (`a**b`) is just a star there.
    return { kind: 'pattern', text: part.replace(/\*+/g, '*') };
  });
  // Everything under a match is covered too.
  segments.push(GLOBSTAR);
  return segments;
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
  const left = a.map(parseGlob);
  const right = b.map(parseGlob);
  return left.some((p) => right.some((q) => globsIntersect(p, q)));
}
