// Process facts from Linux /proc. `kill(pid, 0)` alone reports zombies and
// reused pids as alive, so liveness here also checks the state and the start
// time. Node builtins only: the detached supervisor imports this.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { errnoCode } from '../platform/errno.js';

export interface ProcStat {
  readonly pid: number;
  /** One letter: R, S, D, T (stopped), Z (zombie), ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /** Field 22: start time in clock ticks since boot. */
  readonly startTime: number;
}

/** Whether this system has the /proc this module needs (Linux). */
export function procAvailable(): boolean {
  return existsSync('/proc/self/stat');
}

/** /proc/<pid>/stat, or null when there is no such process. */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ESRCH') return null;
    throw error;
  }
  // Field 2 (comm) is in parentheses and may itself hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const [ppid, pgrp, startTime] = [fields[1], fields[2], fields[19]].map(Number);
  if (state === undefined || ppid === undefined || pgrp === undefined || startTime === undefined || Number.isNaN(startTime)) return null;
  return { pid, state, ppid, pgrp, startTime };
}

/** True when the process exists, is not a zombie, and (when given) started at `startTime`. */
export function isProcessAlive(pid: number, startTime?: number | null): boolean {
  const stat = readProcStat(pid);
  if (stat === null || stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || startTime === null || stat.startTime === startTime;
}

/** Pids of the live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (!groupExists(pgid)) return [];
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat !== null && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(stat.pid);
  }
  return members;
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
