import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { linuxProcessTable } from '../../src/platform/linuxProcessTable.js';
import { posixProcessTable } from '../../src/platform/posixProcessTable.js';
import { createProcessFacts, processExists, signalGroup, signalProcess, systemProcessFacts } from '../../src/platform/process.js';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    child.kill('SIGKILL');
    await exited;
  }
});

function start(command: string, args: string[], detached = false): ChildProcess & { pid: number } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'], detached });
  children.push(child);
  if (child.pid === undefined) throw new Error('child did not start');
  return child as ChildProcess & { pid: number };
}

/** A pid that was just used by a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = start(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid;
}

async function until(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 500; i += 1) {
    if (check()) return true;
    await sleep(10);
  }
  return check();
}

describe.runIf(process.platform === 'linux')('the system process facts on Linux', () => {
  it('read /proc', () => {
    expect(systemProcessFacts.table.name).toBe('linux');
  });
});

// Both tables answer about the same real processes here; the POSIX one runs ps, as it would on macOS.
describe.runIf(process.platform === 'linux').each([
  ['Linux /proc', linuxProcessTable],
  ['POSIX ps', posixProcessTable],
])('process facts (%s)', (_name, table) => {
  const { groupMembers, isGroupAlive, isProcessAlive, probeProcess, procAvailable, processStartTime, readProcStat } = createProcessFacts(table);

  it('has a process table', () => {
    expect(procAvailable()).toBe(true);
  });

  it('knows this process: alive, with a start time and its own group', () => {
    const stat = readProcStat(process.pid);
    expect(stat?.startTime).toBe(processStartTime(process.pid));
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(process.pid, stat?.startTime ?? null)).toBe(true);
    expect(probeProcess(process.pid)).toEqual({ exists: true, startTime: stat?.startTime });
  });

  it('tells a reused pid apart by its start time', () => {
    const startTime = processStartTime(process.pid) ?? 0;
    expect(isProcessAlive(process.pid, startTime + 1)).toBe(false);
  });

  it('says a pid that exited is gone', async () => {
    const pid = await deadPid();
    expect(processExists(pid)).toBe(false);
    expect(isProcessAlive(pid)).toBe(false);
    expect(readProcStat(pid)).toBeNull();
    expect(probeProcess(pid)).toEqual({ exists: false, startTime: null });
    expect(signalProcess(pid, 'SIGTERM')).toBe(false);
  });

  it('rejects pids that would address groups', () => {
    expect(processExists(0)).toBe(false);
    expect(processExists(-1)).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
  });

  it('counts a zombie as existing but not alive', async () => {
    // The background child exits after sh has become `sleep`, which never reaps it.
    const parent = start('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60']);
    const [line] = (await once(createInterface({ input: parent.stdout ?? process.stdin }), 'line')) as [string];
    const zombie = Number(line);
    expect(await until(() => readProcStat(zombie)?.state === 'Z')).toBe(true);
    expect(processExists(zombie)).toBe(true);
    expect(isProcessAlive(zombie)).toBe(false);
  });

  it('lists the members of a process group, signals them all, and then reports the group gone', async () => {
    const leader = start('sh', ['-c', 'sleep 60 & sleep 60 & echo started; wait'], true);
    await once(createInterface({ input: leader.stdout ?? process.stdin }), 'line');
    const members = groupMembers(leader.pid);
    expect(members).toContain(leader.pid);
    expect(members.length).toBeGreaterThanOrEqual(3);
    expect(members.every((pid) => readProcStat(pid)?.pgrp === leader.pid)).toBe(true);
    expect(isGroupAlive(leader.pid)).toBe(true);

    expect(signalGroup(leader.pid, 'SIGKILL')).toBe(true);
    expect(await until(() => !isGroupAlive(leader.pid))).toBe(true);
    await until(() => leader.exitCode !== null || leader.signalCode !== null);
    expect(await until(() => !signalGroup(leader.pid, 'SIGKILL'))).toBe(true);
  });

  it("keeps a process's start time stable and tells it apart from another process's", async () => {
    const child = start('sleep', ['60']);
    const first = processStartTime(child.pid);
    expect(first).not.toBeNull();
    await sleep(1100);
    expect(processStartTime(child.pid)).toBe(first);
    expect(isProcessAlive(child.pid, first)).toBe(true);
    // A process started a second later has a later start time: had it taken over the pid, the recorded one would not match.
    const later = start('sleep', ['60']);
    const second = processStartTime(later.pid);
    expect(second ?? -Infinity).toBeGreaterThan(first ?? Infinity);
    expect(isProcessAlive(later.pid, first)).toBe(false);
  });

  it('gives nothing for a pid that cannot be a process', () => {
    expect(readProcStat(0)).toBeNull();
    expect(readProcStat(2 ** 30)).toBeNull();
  });
});
