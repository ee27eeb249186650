// Which process table this system gets: Linux /proc where it is mounted,
// else ps. Node builtins only (the detached supervisor imports this).
import { existsSync } from 'node:fs';
import { linuxProcessTable } from './linuxProcessTable.js';
import { posixProcessTable } from './posixProcessTable.js';
import type { ProcessTable } from './processTable.js';

export type ProcessTableChoice = 'linux' | 'posix';

export interface ProcessTableSelection {
  /** Whether /proc/self/stat exists here. */
  readonly procPresent: boolean;
  /** Force one implementation (tests); omit to choose by `procPresent`. */
  readonly choice?: ProcessTableChoice;
}

/** Pure. /proc present → the Linux table; else the POSIX (ps) table. Whether the chosen one works is `available()`'s answer. */
export function selectProcessTable(selection: ProcessTableSelection): ProcessTable {
  const choice = selection.choice ?? (selection.procPresent ? 'linux' : 'posix');
  return choice === 'linux' ? linuxProcessTable : posixProcessTable;
}

/** The table of the system this runs on, chosen once. */
export const systemProcessTable: ProcessTable = selectProcessTable({ procPresent: existsSync('/proc/self/stat') });
