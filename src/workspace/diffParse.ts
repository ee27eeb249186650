/**
 * Pure parsers for git's diff output. Paths are repo-relative with `/`;
 * line numbers are 1-based lines of the new version of a file.
 */

export type ChangeStatus = 'added' | 'modified' | 'deleted';

export interface ChangedFile {
  readonly path: string;
  readonly status: ChangeStatus;
}

/** Lines a diff adds to one file (new-side line numbers, ascending). */
export interface FileDiffLines {
  readonly path: string;
  readonly addedLines: readonly number[];
}

/**
 * Parses `git diff --name-status -z --no-renames` output: `<status>\0<path>\0...`.
 * Type changes and unmerged entries count as `modified`.
 */
export function parseNameStatus(output: string): ChangedFile[] {
  const fields = output.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i] ?? '';
    const path = fields[i + 1] ?? '';
    if (code === '' || path === '') continue;
    const status: ChangeStatus = code.startsWith('A') ? 'added' : code.startsWith('D') ? 'deleted' : 'modified';
    files.push({ path, status });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Parses `git diff --patch-with-raw -z --no-renames` output: the raw entries
 * (`:<modes> <ids> <status>\0<path>\0`, statuses as parseNameStatus reads
 * them), an empty field, then the patch exactly as `git diff -p` prints it.
 */
export function parseRawWithPatch(output: string): { changedFiles: ChangedFile[]; patch: string } {
  const fields = output.split('\0');
  const raw: string[] = [];
  let i = 0;
  for (; i + 1 < fields.length && (fields[i] ?? '').startsWith(':'); i += 2) {
    raw.push((fields[i] ?? '').split(' ').at(-1) ?? '', fields[i + 1] ?? '');
  }
  const rest = fields.slice(i);
  return { changedFiles: parseNameStatus(raw.join('\0')), patch: (rest[0] === '' ? rest.slice(1) : rest).join('\0') };
}

const ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** Undoes git's C-style quoting of a path (`"a\tb\303\251"`); unquoted text is returned as is. */
export function unquoteGitPath(text: string): string {
  if (!(text.length >= 2 && text.startsWith('"') && text.endsWith('"'))) return text;
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal !== null) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `--- a/x` / `+++ b/x` → `x`; `/dev/null` → null. */
function headerPath(rest: string, prefix: 'a/' | 'b/'): string | null {
  // Git appends a tab after names that contain spaces in some versions; drop it.
  const name = unquoteGitPath(rest.replace(/\t$/, ''));
  if (name === '/dev/null') return null;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Parses a patch produced with `-U0 --src-prefix=a/ --dst-prefix=b/` into the
 * new-side line numbers each file gains. Hunk bodies are consumed by their
 * counts, so a removed line that reads `-- x` is never taken for a header.
 * Binary and mode-only changes yield a file with no added lines.
 */
export function parseZeroContextDiff(patch: string): FileDiffLines[] {
  const result = new Map<string, number[]>();
  let oldName: string | null = null;
  let current: number[] | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  let nextLine = 0;
  for (const line of patch.split('\n')) {
    if (oldLeft > 0 || newLeft > 0) {
      if (line.startsWith('\\')) continue;
      if (line.startsWith('+')) {
        current?.push(nextLine);
        nextLine += 1;
        newLeft -= 1;
      } else if (line.startsWith('-')) {
        oldLeft -= 1;
      } else {
        nextLine += 1;
        newLeft -= 1;
        oldLeft -= 1;
      }
      continue;
    }
    if (line.startsWith('diff --git ')) {
      oldName = null;
      current = null;
    } else if (line.startsWith('--- ')) {
      oldName = headerPath(line.slice(4), 'a/');
    } else if (line.startsWith('+++ ')) {
      const name = headerPath(line.slice(4), 'b/') ?? oldName;
      if (name !== null) {
        current = result.get(name) ?? [];
        result.set(name, current);
      }
    } else {
      const hunk = HUNK.exec(line);
      if (hunk !== null) {
        oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
        newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
        nextLine = Number(hunk[2]);
      }
    }
  }
  return [...result.entries()]
    .map(([path, addedLines]) => ({ path, addedLines }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
