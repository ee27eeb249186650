// The process table of any POSIX system with ps (macOS, the BSDs, Linux
// without /proc), read by running ps. Node builtins only.
//
// What ps gives: pid, parent, group, state and the start time to the second
// (`lstart`; not in POSIX itself, but in procps, macOS and the BSDs). What it
// does not give portably: a process's environment, so `readsEnviron` is false
// and a search by environment entry answers "unknown"; and a start time finer
// than a second, so a pid reused within the same second looks like the same
// process.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { ProcStat, ProcessTable } from './processTable.js';

/** Where ps is looked for: fixed system folders only (a ps found on PATH could be anyone's). */
export const PS_CANDIDATES = ['/bin/ps', '/usr/bin/ps'] as const;

// One column per -o (the portable spelling); `=` drops the header. lstart is last: it holds spaces.
const COLUMNS = ['-o', 'pid=', '-o', 'ppid=', '-o', 'pgid=', '-o', 'state=', '-o', 'lstart='];
// The C locale and UTC make lstart one fixed format: `Sat Dec  5 12:03:02 2026`.
const PS_ENV = { LC_ALL: 'C', TZ: 'UTC' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LSTART = /^[A-Z][a-z]{2} +([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;
const LINE = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S.*?)\s*$/;

/** Seconds since the epoch for an `lstart` printed in the C locale and UTC; null for anything else. */
export function parseLstart(text: string): number | null {
  const match = LSTART.exec(text.trim());
  if (match === null) return null;
  const [, month, day, hours, minutes, seconds, year] = match;
  const monthIndex = MONTHS.indexOf(month ?? '');
  if (monthIndex < 0) return null;
  const ms = Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds));
  return Number.isSafeInteger(ms) ? ms / 1000 : null;
}

/** One line of `ps -o pid=,ppid=,pgid=,state=,lstart=`; null when it is not a whole line. State is its first letter (ps may add flags: `Ss+`). */
export function parsePsLine(line: string): ProcStat | null {
  const match = LINE.exec(line);
  if (match === null) return null;
  const [, pid, ppid, pgrp, state, lstart] = match;
  const startTime = parseLstart(lstart ?? '');
  if (startTime === null || state === undefined) return null;
  return { pid: Number(pid), state: state.charAt(0), ppid: Number(ppid), pgrp: Number(pgrp), startTime };
}

/** Every whole line of ps output; lines that do not parse are left out. */
export function parsePsOutput(text: string): ProcStat[] {
  return text.split('\n').flatMap((line) => {
    const stat = parsePsLine(line);
    return stat === null ? [] : [stat];
  });
}

export interface PosixProcessTableOptions {
  /** The ps executable; default: the first of PS_CANDIDATES that exists. */
  readonly ps?: string;
}

/** A process table that runs ps (synchronously: a few milliseconds per question). */
export function createPosixProcessTable(options: PosixProcessTableOptions = {}): ProcessTable {
  const psPath = (): string | null => options.ps ?? PS_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
  /** ps's output, or null when it matched no process (exit status 1, nothing printed). */
  const run = (args: string[]): string | null => {
    const ps = psPath();
    if (ps === null) throw new Error(`no ps at ${PS_CANDIDATES.join(' or ')}`);
    const result = spawnSync(ps, [...args, ...COLUMNS], { encoding: 'utf8', env: PS_ENV, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    if (result.error !== undefined) throw new Error(`${ps} ${args.join(' ')}: ${result.error.message}`, { cause: result.error });
    if (result.status === 0) return result.stdout;
    if (result.status === 1 && result.stdout.trim() === '') return null;
    throw new Error(`${ps} ${args.join(' ')} exited ${String(result.status ?? result.signal)}: ${result.stderr.trim()}`);
  };
  const table: ProcessTable = {
    name: 'posix',
    available() {
      try {
        return table.stat(process.pid)?.pid === process.pid;
      } catch {
        return false; // no ps, or one whose output this module does not understand: not usable
      }
    },
    stat(pid) {
      if (!Number.isSafeInteger(pid) || pid <= 0) return null;
      const text = run(['-p', String(pid)]);
      if (text === null) return null;
      return parsePsOutput(text).find((stat) => stat.pid === pid) ?? null;
    },
    list: () => parsePsOutput(run(['-A']) ?? ''),
    readsEnviron: false,
    environ: () => null,
  };
  return table;
}

/** The POSIX table with ps from the system folders. */
export const posixProcessTable: ProcessTable = createPosixProcessTable();
