// The process table of Linux, read from /proc. Node builtins only.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { errnoCode } from './errno.js';
import type { ProcStat, ProcessTable } from './processTable.js';

/**
 * Parse the text of /proc/<pid>/stat; null when it is not a whole stat line.
 * Field 2 (comm) is in parentheses and may itself hold spaces and ')', so
 * fields are counted from after the last ')'. Start time is field 22.
 */
export function parseProcStat(pid: number, text: string): ProcStat | null {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const [ppid, pgrp, startTime] = [fields[1], fields[2], fields[22 - 3]].map(Number);
  if (state === undefined || state === '' || ppid === undefined || pgrp === undefined || startTime === undefined) return null;
  if (!Number.isSafeInteger(ppid) || !Number.isSafeInteger(pgrp) || !Number.isSafeInteger(startTime)) return null;
  return { pid, state, ppid, pgrp, startTime };
}

export const linuxProcessTable: ProcessTable = {
  name: 'linux',
  available: () => existsSync('/proc/self/stat'),
  stat(pid) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (error) {
      // ENOENT / ESRCH: no such process. EACCES: /proc mounted with hidepid; nothing can be learnt.
      if (['ENOENT', 'ESRCH', 'EACCES'].includes(errnoCode(error) ?? '')) return null;
      throw error;
    }
    return parseProcStat(pid, text);
  },
  list() {
    const stats: ProcStat[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const stat = linuxProcessTable.stat(Number(name));
      if (stat !== null) stats.push(stat);
    }
    return stats;
  },
  readsEnviron: true,
  environ(pid) {
    try {
      const text = readFileSync(`/proc/${pid}/environ`, 'latin1');
      return text === '' ? null : text.split('\0').filter((entry) => entry !== '');
    } catch {
      return null; // gone, or not ours to read: nothing can be learnt
    }
  },
};
