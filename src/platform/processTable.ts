// What this operating system says about its processes: the one interface an
// OS implements for process.ts (Linux /proc: linuxProcessTable.ts; any POSIX
// system with ps: posixProcessTable.ts; which one: systemProcessTable.ts).
// Node builtins only.

export interface ProcStat {
  readonly pid: number;
  /** One letter: R, S, D, T (stopped), Z (zombie), X (dead), ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /**
   * When the process started, in a unit the table defines that only has to
   * be stable for one process (Linux: clock ticks since boot; POSIX ps:
   * seconds since the epoch). A pid whose start time differs is another
   * process. Values from different tables are not comparable.
   */
  readonly startTime: number;
}

export interface ProcessTable {
  /** Short name for messages and records: 'linux', 'posix', 'none'. */
  readonly name: string;
  /** Whether this system can answer `stat` and `list` at all. */
  available(): boolean;
  /** The facts of one process, or null when there is no such process (or it cannot be read). */
  stat(pid: number): ProcStat | null;
  /** The facts of every process currently in the table (one snapshot). */
  list(): ProcStat[];
  /** Whether `environ` can answer at all; when false, which processes carry an environment entry is unknown. */
  readonly readsEnviron: boolean;
  /** The environment entries (`NAME=value`) a process started with; null when it cannot be read (gone, another user, a zombie, or never on this table). */
  environ(pid: number): string[] | null;
}

/** The table of a system this module cannot read: nothing is known. */
export const unavailableProcessTable: ProcessTable = {
  name: 'none',
  available: () => false,
  stat: () => null,
  list: () => [],
  readsEnviron: false,
  environ: () => null,
};
