// Process facts and signals: liveness that survives zombies and reused pids,
// start times, process groups. `kill(pid, 0)` alone reports zombies and reused
// pids as alive, so liveness also checks the state and the start time from the
// OS's process table (processTable.ts; which one: systemProcessTable.ts).
// Node builtins only: the detached supervisor imports this.
import { errnoCode } from './errno.js';
import type { ProcStat, ProcessTable } from './processTable.js';
import { systemProcessTable } from './systemProcessTable.js';

export type { ProcStat, ProcessTable } from './processTable.js';

/** What a lock holder check needs to know about a pid on this host. */
export interface ProcessProbe {
  readonly exists: boolean;
  readonly startTime: number | null;
}

/** The process facts that need a process table, answered from one table. */
export interface ProcessFacts {
  /** The table answering (its `name` says which). */
  readonly table: ProcessTable;
  /** Whether this system has the process table these facts need. */
  readonly procAvailable: () => boolean;
  /** The facts of one process, or null when there is no such process. */
  readonly readProcStat: (pid: number) => ProcStat | null;
  /** Start time of a process in the table's unit, or null where it cannot be read. */
  readonly processStartTime: (pid: number) => number | null;
  /**
   * True when `pid` runs (not a zombie) and, when `startTime` is given, is the
   * process that started then. Where the process table cannot be read, only
   * `kill(pid, 0)` is consulted.
   */
  readonly isProcessAlive: (pid: number, startTime?: number | null) => boolean;
  /** Whether `pid` exists (zombies and stopped processes do) and when it started. */
  readonly probeProcess: (pid: number) => ProcessProbe;
  /** Pids of the live (non-zombie) members of a process group. */
  readonly groupMembers: (pgid: number) => number[];
  /** True while any non-zombie process is in the group. */
  readonly isGroupAlive: (pgid: number) => boolean;
  /**
   * Pids of live processes (this one excepted) whose environment holds every
   * one of `entries` exactly (`NAME=value`); null when this table cannot read
   * environments at all (unknown, not "none"). Children inherit their parent's
   * environment, so a tag set on a worker finds its descendants even after they
   * left its process group (setsid, double fork) — unless they cleared it.
   */
  readonly processesWithEnv: (entries: readonly string[]) => number[] | null;
}

/**
 * The process facts answered from `table`: the system's by default; tests
 * pass another table (e.g. the POSIX one on Linux) to run both against real processes.
 * @example
 * const facts = createProcessFacts(posixProcessTable);
 * facts.isProcessAlive(pid, startTime);
 */
export function createProcessFacts(table: ProcessTable): ProcessFacts {
  const readProcStat = (pid: number): ProcStat | null => table.stat(pid);
  const processStartTime = (pid: number): number | null => table.stat(pid)?.startTime ?? null;
  const groupMembers = (pgid: number): number[] => {
    if (!groupExists(pgid)) return [];
    return table
      .list()
      .filter((stat) => stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X')
      .map((stat) => stat.pid);
  };
  return {
    table,
    procAvailable: () => table.available(),
    readProcStat,
    processStartTime,
    isProcessAlive(pid, startTime) {
      if (!processExists(pid)) return false;
      const stat = table.stat(pid);
      if (stat === null) return true;
      if (stat.state === 'Z' || stat.state === 'X') return false;
      return startTime === undefined || startTime === null || stat.startTime === startTime;
    },
    probeProcess(pid) {
      const exists = processExists(pid);
      return { exists, startTime: exists ? processStartTime(pid) : null };
    },
    groupMembers,
    isGroupAlive: (pgid) => groupMembers(pgid).length > 0,
    processesWithEnv(entries) {
      if (!table.readsEnviron) return null;
      const found: number[] = [];
      for (const { pid } of table.list()) {
        if (pid === process.pid) continue;
        const environ = table.environ(pid);
        if (environ !== null && entries.length > 0 && entries.every((entry) => environ.includes(entry))) found.push(pid);
      }
      return found;
    },
  };
}

/** The process facts of the system this runs on. */
export const systemProcessFacts: ProcessFacts = createProcessFacts(systemProcessTable);
export const { procAvailable, readProcStat, processStartTime, isProcessAlive, probeProcess, groupMembers, isGroupAlive, processesWithEnv } = systemProcessFacts;

/** kill(pid, 0): true while the pid exists (also zombies, stopped processes, other users' processes). */
export function processExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EPERM') return true;
    if (errnoCode(error) === 'ESRCH') return false;
    throw error;
  }
}

/** Send a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ESRCH') return false;
    throw error;
  }
}

/** Send a signal to one process; false when it no longer exists. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ESRCH') return false;
    throw error;
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ESRCH') return false;
    // EPERM: the group exists but is not ours to signal.
    if (errnoCode(error) === 'EPERM') return true;
    throw error;
  }
}
