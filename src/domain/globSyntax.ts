/**
 * Which glob syntax buran supports, checked without matching anything. Pure.
 * The matcher (`src/gates/glob.ts`, picomatch) and the scope-overlap check
 * (`src/scheduler/scopeOverlap.ts`) both read globs this check accepts; a
 * packet using anything else is refused with the field and a corrected example.
 */

/**
 * Why `glob` uses syntax buran does not support, with a corrected example;
 * null when it is supported. Backslashes, absolute paths and `..` are the
 * path rules' (`repoPathProblem`), not this.
 * @example
 * globSyntaxProblem('src/{a}.ts'); // "braces need two or more alternatives ... write \"src/a.ts\" ..."
 */
export function globSyntaxProblem(glob: string): string | null {
  if (glob.length > MAX_GLOB_LENGTH) return `longer than ${MAX_GLOB_LENGTH} characters: split it into several shorter globs`;
  if (glob.startsWith('!') && !glob.startsWith('!(')) {
    return `a leading '!' (excluding paths) is not supported: list the paths to include instead, e.g. "src/**" rather than "!test/**"`;
  }
  if (glob.includes('"')) {
    return `double quotes are not supported: write the characters without them, e.g. "${glob.replaceAll('"', '')}"`;
  }
  const groups = bracketGroups(glob);
  if (typeof groups === 'string') return groups;
  for (const { open, body } of groups) {
    if (open !== '{' && body.includes('/')) {
      const name = open === '[' ? '[...]' : '(...)';
      return `a '/' inside ${name} is not supported (it matches within one path segment): use braces to choose between folders, e.g. "{src/api,test}/**"`;
    }
    if (open === '{' && !body.includes(',') && !RANGE.test(body)) {
      return `braces need two or more alternatives ({a,b}) or a range ({1..3}): write "${glob.replace(`{${body}}`, body)}" or e.g. "src/{a,b}.ts"`;
    }
  }
  return null;
}

/** Longer globs are refused (picomatch itself stops at 65536). */
export const MAX_GLOB_LENGTH = 4096;

/** A brace range: `1..3`, `a..e`, optionally with a step. */
export const RANGE = /^(?:-?\d+\.\.-?\d+|[A-Za-z]\.\.[A-Za-z])(?:\.\.-?\d+)?$/;

const CLOSE: Record<string, string> = { '[': ']', '{': '}', '(': ')' };

export interface Group {
  readonly open: '[' | '{' | '(';
  /** The text between the opening and closing character, nested groups included. */
  readonly body: string;
}

/** Every bracket, brace and paren group of `glob` (outermost and nested), or why they do not balance. */
export function bracketGroups(glob: string): Group[] | string {
  const groups: Group[] = [];
  const stack: { open: Group['open']; at: number }[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    const top = stack.at(-1);
    if (top?.open === '[') {
      // Inside a bracket expression only `]` (not first, not in `[:name:]`) closes; nothing nests.
      if (c === '[' && glob[i + 1] === ':') {
        const end = glob.indexOf(':]', i + 2);
        if (end < 0) return `unbalanced '[:' in "${glob}": a character class is written "[[:alpha:]]"`;
        i = end + 1;
      } else if (c === ']' && i > top.at + 1 && !(i === top.at + 2 && '!^'.includes(glob[top.at + 1] as string))) {
        stack.pop();
        groups.push({ open: '[', body: glob.slice(top.at + 1, i) });
      }
    } else if (c === '[' || c === '{' || c === '(') {
      stack.push({ open: c, at: i });
    } else if (c === ']' || c === '}' || c === ')') {
      if (top === undefined || CLOSE[top.open] !== c) return unbalanced(glob, c);
      stack.pop();
      groups.push({ open: top.open, body: glob.slice(top.at + 1, i) });
    }
  }
  const open = stack.at(-1);
  return open === undefined ? groups : unbalanced(glob, open.open);
}

function unbalanced(glob: string, c: string): string {
  const pairs = '[...] {...} (...)';
  return `unbalanced '${c}' in "${glob}": brackets, braces and parentheses must come in pairs (${pairs}), e.g. "src/*.{js,ts}" or "src/[ab].ts"`;
}

