import { describe, expect, it } from 'vitest';
import { createPosixProcessTable, parseLstart, parsePsLine, parsePsOutput, posixProcessTable } from '../../src/platform/posixProcessTable.js';

describe('parseLstart', () => {
  it('reads the C-locale UTC start time to the second', () => {
    expect(parseLstart('Sat Dec  5 12:03:02 2026')).toBe(Date.UTC(2026, 11, 5, 12, 3, 2) / 1000);
    expect(parseLstart('Mon Jan 12 00:00:00 2026')).toBe(Date.UTC(2026, 0, 12) / 1000);
  });

  it('is null for another locale or shape', () => {
    expect(parseLstart('sam. déc.  5 12:03:02 2026')).toBeNull();
    expect(parseLstart('Sat Foo  5 12:03:02 2026')).toBeNull();
    expect(parseLstart('12:03:02')).toBeNull();
    expect(parseLstart('')).toBeNull();
  });
});

describe('parsePsLine', () => {
  it('reads pid, parent, group, the first letter of the state and the start time', () => {
    expect(parsePsLine('  4242     1  4242 Ss+  Sat Dec  5 12:03:02 2026')).toEqual({ pid: 4242, ppid: 1, pgrp: 4242, state: 'S', startTime: Date.UTC(2026, 11, 5, 12, 3, 2) / 1000 });
    expect(parsePsLine('7 6 5 Z Sat Dec  5 12:03:02 2026')?.state).toBe('Z');
  });

  it('is null for a cut or foreign line', () => {
    expect(parsePsLine('4242 1 4242 S')).toBeNull();
    expect(parsePsLine('  PID  PPID  PGID S STARTED')).toBeNull();
    expect(parsePsLine('')).toBeNull();
  });

  it('keeps the whole lines of an output and drops the rest', () => {
    const text = '    1     0     1 S Sat Dec  5 08:26:09 2026\ngarbage\n   22     1    22 R Sat Dec  5 08:26:10 2026\n';
    expect(parsePsOutput(text).map((stat) => stat.pid)).toEqual([1, 22]);
  });
});

describe.runIf(process.platform === 'linux')('posixProcessTable against the real ps', () => {
  it('reads this process as /proc does, and lists it with the same facts', () => {
    expect(posixProcessTable.available()).toBe(true);
    const self = posixProcessTable.stat(process.pid);
    expect(self).toMatchObject({ pid: process.pid, ppid: process.ppid });
    // Seconds since the epoch: this process started before now, within its uptime (plus the second lstart drops).
    const startedAt = (Date.now() - process.uptime() * 1000) / 1000;
    expect(Math.abs((self?.startTime ?? 0) - startedAt)).toBeLessThan(2);
    expect(posixProcessTable.list().find((stat) => stat.pid === process.pid)).toEqual(self);
  });

  it('says nothing about environments (not portably readable from ps)', () => {
    expect(posixProcessTable.readsEnviron).toBe(false);
    expect(posixProcessTable.environ(process.pid)).toBeNull();
  });

  it('is null for a pid that does not exist', () => {
    expect(posixProcessTable.stat(2 ** 30)).toBeNull();
  });

  it('is not available, and fails loudly when asked, where its ps does not run', () => {
    const broken = createPosixProcessTable({ ps: '/nonexistent/ps' });
    expect(broken.available()).toBe(false);
    expect(() => broken.list()).toThrow(/nonexistent\/ps/);
  });

  it('is not available where the ps output is not understood', () => {
    // `true` exits 0 and prints nothing: no line for this process.
    expect(createPosixProcessTable({ ps: '/bin/true' }).available()).toBe(false);
  });
});
