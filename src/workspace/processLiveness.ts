import { readFileSync } from 'node:fs';

/**
 * Whether a process is alive, robust to the two ways `kill(pid, 0)` lies on
 * Linux: a zombie still answers, and a pid may have been reused by a newer
 * process. With `/proc` the start time (clock ticks since boot) tells them
 * apart; without it, only `kill(pid, 0)` is consulted.
 */

interface ProcStat {
  readonly state: string;
  readonly startTime: number;
}

function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // No /proc entry (not Linux, or the process is gone): the caller falls back to kill(pid, 0).
    return null;
  }
  // `pid (comm) state ...`: comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = Number(fields[19]);
  return state === undefined || !Number.isFinite(startTime) ? null : { state, startTime };
}

/** Start time of a process in clock ticks since boot, or null where /proc is unavailable. */
export function processStartTime(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null;
}

/** True when `pid` runs (not a zombie) and, when `startTime` is known, is the same process that recorded it. */
export function processAlive(pid: number, startTime: number | null = null): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if (!(error instanceof Error && 'code' in error && error.code === 'EPERM')) return false;
  }
  const stat = readProcStat(pid);
  if (stat === null) return true;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === null || stat.startTime === startTime;
}
