// CPU time of a process and of the children it reaped, from /proc/<pid>/stat
// (Linux): the one reader the bench sections share.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Milliseconds per clock tick (`getconf CLK_TCK`, 100 when it cannot say). */
const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100);

/** CPU ms of `pid`: its own (utime + stime) and its reaped children's (cutime + cstime); NaN where /proc cannot say. */
export function cpuOf(pid: number | 'self'): { own: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { own: ((f[11] ?? NaN) + (f[12] ?? NaN)) * TICK_MS, children: ((f[13] ?? NaN) + (f[14] ?? NaN)) * TICK_MS };
  } catch {
    return { own: Number.NaN, children: Number.NaN };
  }
}
