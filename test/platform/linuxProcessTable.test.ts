import { describe, expect, it } from 'vitest';
import { linuxProcessTable, parseProcStat } from '../../src/platform/linuxProcessTable.js';

// Fields after comm: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
// utime stime cutime cstime priority nice num_threads itrealvalue starttime ...
const rest = 'S 100 200 200 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50';

describe('parseProcStat', () => {
  it('reads state, parent, group and start time (field 22)', () => {
    expect(parseProcStat(42, `42 (node) ${rest}`)).toEqual({ pid: 42, state: 'S', ppid: 100, pgrp: 200, startTime: 987654 });
  });

  it('counts fields after the last ")", so a command name with spaces and parentheses does not shift them', () => {
    expect(parseProcStat(7, `7 (a) b (c)) ${rest}`)).toMatchObject({ state: 'S', pgrp: 200, startTime: 987654 });
  });

  it('is null for a cut line', () => {
    expect(parseProcStat(7, '7 (node) S 1 2')).toBeNull();
    expect(parseProcStat(7, '')).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('linuxProcessTable', () => {
  it('reads this process and lists it with the same facts', () => {
    expect(linuxProcessTable.available()).toBe(true);
    const self = linuxProcessTable.stat(process.pid);
    expect(self).toMatchObject({ pid: process.pid, ppid: process.ppid, startTime: expect.any(Number) as number });
    expect(linuxProcessTable.list().find((stat) => stat.pid === process.pid)).toEqual(self);
    expect(linuxProcessTable.readsEnviron).toBe(true);
  });

  it('is null for a pid that does not exist', () => {
    expect(linuxProcessTable.stat(2 ** 30)).toBeNull();
  });
});
