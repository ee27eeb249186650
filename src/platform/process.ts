// Process facts and signals: liveness that survives zombies and reused pids,
// start times, process groups. `kill(pid, 0)` alone reports zombies and reused
// pids as alive, so liveness also checks the state and the start time from the
// OS's process table (processTable.ts). Node builtins only: the detached
// supervisor imports this.
import { errnoCode } from './errno.js';
import { linuxProcessTable } from './linuxProcessTable.js';
import { type ProcStat, type ProcessTable, unavailableProcessTable } from './processTable.js';

export type { ProcStat, ProcessTable } from './processTable.js';

/** The process table of the system this runs on. */
const table: ProcessTable = process.platform === 'linux' ? linuxProcessTable : unavailableProcessTable;

/** Whether this system has the process table this module needs (Linux /proc). */
export function procAvailable(): boolean {
  return table.available();
}

/** The facts of one process, or null when there is no such process. */
export function readProcStat(pid: number): ProcStat | null {
  return table.stat(pid);
}

/** Start time of a process (Linux: clock ticks since boot), or null where it cannot be read. */
export function processStartTime(pid: number): number | null {
  return table.stat(pid)?.startTime ?? null;
}

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

/**
 * True when `pid` runs (not a zombie) and, when `startTime` is given, is the
 * process that started then. Where the process table cannot be read, only
 * `kill(pid, 0)` is consulted.
 */
export function isProcessAlive(pid: number, startTime?: number | null): boolean {
  if (!processExists(pid)) return false;
  const stat = table.stat(pid);
  if (stat === null) return true;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || startTime === null || stat.startTime === startTime;
}

/** What a lock holder check needs to know about a pid on this host. */
export interface ProcessProbe {
  readonly exists: boolean;
  readonly startTime: number | null;
}

/** Whether `pid` exists (zombies and stopped processes do) and when it started. */
export function probeProcess(pid: number): ProcessProbe {
  const exists = processExists(pid);
  return { exists, startTime: exists ? processStartTime(pid) : null };
}

/** Pids of the live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (!groupExists(pgid)) return [];
  const members: number[] = [];
  for (const pid of table.pids()) {
    const stat = table.stat(pid);
    if (stat !== null && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(stat.pid);
  }
  return members;
}

/**
 * Pids of live processes (this one excepted) whose environment holds every
 * one of `entries` exactly (`NAME=value`). Children inherit their parent's environment, so a
 * tag set on a worker finds its descendants even after they left its process
 * group (setsid, double fork) — unless they cleared their environment.
 */
export function processesWithEnv(entries: readonly string[]): number[] {
  const found: number[] = [];
  for (const pid of table.pids()) {
    if (pid === process.pid) continue;
    const environ = table.environ(pid);
    if (environ !== null && entries.length > 0 && entries.every((entry) => environ.includes(entry))) found.push(pid);
  }
  return found;
}

/** True while any non-zombie process is in the group. */
export function isGroupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
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
