// What this operating system says about its processes: the one interface an
// OS implements for process.ts (Linux: linuxProcessTable.ts). Node builtins only.

export interface ProcStat {
  readonly pid: number;
  /** One letter: R, S, D, T (stopped), Z (zombie), X (dead), ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /**
   * When the process started, in an OS-defined unit that only has to be
   * stable for one process (Linux: clock ticks since boot). A pid whose start
   * time differs is another process.
   */
  readonly startTime: number;
}

export interface ProcessTable {
  /** Whether this system can answer `stat` and `pids` at all. */
  available(): boolean;
  /** The facts of one process, or null when there is no such process (or it cannot be read). */
  stat(pid: number): ProcStat | null;
  /** Every pid currently in the table. */
  pids(): number[];
  /** The environment entries (`NAME=value`) a process started with; null when it cannot be read (gone, another user, a zombie). */
  environ(pid: number): string[] | null;
}

/** The table of a system this module cannot read: nothing is known. */
export const unavailableProcessTable: ProcessTable = {
  available: () => false,
  stat: () => null,
  pids: () => [],
  environ: () => null,
};
