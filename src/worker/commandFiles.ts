// The files a `command` worker's argv names, checked before any round is
// spent: `[bash, /missing.sh]` finds bash and then fails in every attempt.
// Only arguments that are clearly files are checked, so flags, inline scripts
// (`-c 'echo hi'`) and values the worker creates (an output file) pass.
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';

/** Interpreters whose first positional argument is the script they run. */
const INTERPRETERS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'node', 'nodejs', 'python', 'python3', 'ruby', 'perl', 'tsx']);

/** Flags after which an interpreter runs inline code or a module, not a script file. */
const INLINE_FLAGS = new Set(['-c', '-e', '--eval', '-p', '--print', '-m', '--command']);

/** Interpreter flags whose value is the next argument (not the script). */
const VALUE_FLAGS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '-o', '-O', '-W', '-X']);

/** Characters no plain path argument carries: whitespace, shell syntax, globs, `=` (an `--opt=value` or `NAME=value`). */
const NOT_A_PATH = /[\s$;|&<>(){}*?[\]='"`\\]|:\/\//;

/** One argument naming a file that is not there. */
export interface MissingFile {
  /** Index in the command argv. */
  readonly index: number;
  readonly arg: string;
  /** Where it was looked for. */
  readonly path: string;
  /** `script`: the file an interpreter runs must exist; `path`: a path argument whose folder does not exist. */
  readonly kind: 'script' | 'path';
}

/** The interpreter's script: its first positional argument, unless inline code or a module is run instead. */
function scriptIndex(command: readonly string[]): number | null {
  const interpreter = command[0];
  if (interpreter === undefined || !INTERPRETERS.has(basename(interpreter))) return null;
  for (let i = 1; i < command.length; i++) {
    const arg = command[i] as string;
    if (arg === '--') return i + 1 < command.length ? i + 1 : null;
    if (INLINE_FLAGS.has(arg) || /^-[A-Za-z]*c$/.test(arg)) return null; // bash -ec 'script' too
    if (VALUE_FLAGS.has(arg)) i++;
    else if (!arg.startsWith('-') && !arg.startsWith('+')) return i;
  }
  return null;
}

/** True when `path` is an existing file (or folder, for `folder`). */
async function exists(path: string, folder = false): Promise<boolean> {
  try {
    const found = await stat(path);
    return folder ? found.isDirectory() : found.isFile();
  } catch {
    return false; // missing or unreadable: both mean the worker will not find it either
  }
}

/**
 * The arguments of `command` (past the executable) that name files that are
 * not there, relative ones resolved against `root` (the repository):
 * - an interpreter's script (`bash x.sh`, `node agent.mjs`, `python3 a.py`)
 *   must be an existing file, unless `-c`/`-e`/`-m` (inline code, a module) comes first;
 * - any other argument that is a path (absolute, or starting `./` or `../`)
 *   must be in an existing folder: it may be a file the worker creates.
 * Flags, `--opt=value`, URLs and anything with spaces or shell syntax are not paths.
 * @example
 * await missingFileArguments(['bash', '/missing.sh'], repo); // [{ index: 1, arg: '/missing.sh', path: '/missing.sh', kind: 'script' }]
 */
export async function missingFileArguments(command: readonly string[], root: string): Promise<MissingFile[]> {
  const script = scriptIndex(command);
  const missing: MissingFile[] = [];
  for (let index = 1; index < command.length; index++) {
    const arg = command[index] as string;
    if (arg.startsWith('-') || NOT_A_PATH.test(arg)) continue;
    const path = isAbsolute(arg) ? arg : resolve(root, arg);
    if (index === script) {
      if (!(await exists(path))) missing.push({ index, arg, path, kind: 'script' });
    } else if (isAbsolute(arg) || arg.startsWith('./') || arg.startsWith('../')) {
      if (!(await exists(dirname(path), true))) missing.push({ index, arg, path, kind: 'path' });
    }
  }
  return missing;
}
