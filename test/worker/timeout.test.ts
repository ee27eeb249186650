import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptStatus } from '../../src/worker/attempt.js';
import { killAttempt } from '../../src/worker/killAttempt.js';
import { readProcStat } from '../../src/platform/process.js';
import { attemptPaths } from '../../src/worker/attemptFiles.js';
import { deriveCommandOutcome } from '../../src/worker/commandAdapter.js';
import { waitForOutcome } from '../../src/worker/waitForOutcome.js';
import { EXPECTED, gone, reaped, startFixture, tempDir } from './helpers.js';

const wait = (dir: string, extra: Partial<Parameters<typeof waitForOutcome>[1]> = {}) =>
  waitForOutcome(dir, { expected: EXPECTED, deadlineAt: null, heartbeatTimeoutMs: 10_000, pollMs: 50, ...extra });
const killRecord = (dir: string): unknown => JSON.parse(readFileSync(attemptPaths(dir).kill, 'utf8'));

describe('timeouts end the whole process group', () => {
  it('wall deadline: neither the worker nor its grandchild survives', async () => {
    const pidfile = join(tempDir(), 'grandchild.pid');
    const { dir, started } = await startFixture('grandchild.mjs', [`--pidfile=${pidfile}`]);
    await expect.poll(() => (existsSync(pidfile) ? readFileSync(pidfile, 'utf8') : ''), { timeout: 5_000 }).toMatch(/^\d+$/);
    const grandchild = Number(readFileSync(pidfile, 'utf8'));

    const outcome = await wait(dir, { deadlineAt: Date.now() + 300, graceMs: 1_000 });
    expect(outcome).toEqual({ kind: 'timeout', reason: 'wall' });
    expect(killRecord(dir)).toMatchObject({ reason: 'wall', by: 'runner' });
    // PID 1 here reaps orphans slowly: allow it time before asking for ESRCH.
    for (const pid of [started.pid ?? 0, grandchild, started.supervisorPid]) expect(await reaped(pid)).toBe(true);
  });

  it('a worker that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const { dir, started } = await startFixture('ignore-term.mjs');
    await expect.poll(() => readFileSync(attemptPaths(dir).stdout, 'utf8'), { timeout: 5_000 }).toContain('ready');
    const before = Date.now();
    const outcome = await wait(dir, { deadlineAt: Date.now(), graceMs: 700 });
    expect(outcome).toEqual({ kind: 'timeout', reason: 'wall' });
    expect(Date.now() - before).toBeGreaterThanOrEqual(700);
    expect(await gone(started.pid ?? 0, 100)).toBe(true);
    expect(readFileSync(attemptPaths(dir).stdout, 'utf8')).toContain('ignoring SIGTERM');
    expect(attemptStatus(dir).state).toBe('dead'); // SIGKILL took the supervisor too: no exit.json
  });

  it('a stale heartbeat (supervisor stopped) times out and the group is ended', async () => {
    const { dir, started } = await startFixture('hang.mjs', [], { heartbeatIntervalMs: 100 });
    process.kill(started.supervisorPid, 'SIGSTOP');
    const outcome = await wait(dir, { heartbeatTimeoutMs: 500, graceMs: 500 });
    expect(outcome).toEqual({ kind: 'timeout', reason: 'heartbeat' });
    expect(killRecord(dir)).toMatchObject({ reason: 'heartbeat' });
    expect(await gone(started.supervisorPid)).toBe(true);
    expect(await gone(started.pid ?? 0)).toBe(true);
  });

  it("the supervisor's own backstop ends the worker when no runner is watching, and records it", async () => {
    const { dir, started } = await startFixture('hang.mjs', [], { timeoutMs: 300, graceMs: 300 });
    await expect.poll(() => attemptStatus(dir).state, { timeout: 5_000 }).toBe('exited');
    expect(attemptStatus(dir).exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(killRecord(dir)).toMatchObject({ reason: 'wall', by: 'supervisor' });
    expect(await gone(started.pid ?? 0)).toBe(true);
    // A runner that re-attaches later reads the recorded decision.
    expect(await wait(dir)).toEqual({ kind: 'timeout', reason: 'wall' });
  });

  it('is decided from kill.json after a restart: a second wait gives the same timeout', async () => {
    const { dir } = await startFixture('hang.mjs');
    expect(await wait(dir, { deadlineAt: 0, graceMs: 300 })).toEqual({ kind: 'timeout', reason: 'wall' });
    expect(await wait(dir, { deadlineAt: null })).toEqual({ kind: 'timeout', reason: 'wall' });
  });
});

describe('ending an attempt', () => {
  it('a worker that wrote its completion but keeps running gets settleMs, then its group is ended', async () => {
    const { dir, started } = await startFixture('complete.mjs', ['--hang']);
    const outcome = await wait(dir, { deriveOutcome: deriveCommandOutcome, settleMs: 200, graceMs: 300 });
    expect(outcome).toMatchObject({ kind: 'completion', status: 'completed' });
    expect(await gone(started.pid ?? 0, 100)).toBe(true);
    expect(killRecord(dir)).toMatchObject({ reason: 'settle' });
  });

  it('killAttempt (cancel) ends the group; waiting then reports the cancel', async () => {
    const { dir, started } = await startFixture('hang.mjs');
    expect(await killAttempt(dir, { graceMs: 500 })).toEqual({ signalled: true, forced: false });
    expect(await gone(started.pid ?? 0, 100)).toBe(true);
    // The supervisor outlived SIGTERM long enough to record how the worker ended.
    expect(attemptStatus(dir)).toMatchObject({ state: 'exited', exit: { signal: 'SIGTERM' }, kill: { reason: 'cancel' } });
    expect(await wait(dir)).toEqual({ kind: 'missing', reason: 'attempt was cancelled' });
    expect(await killAttempt(dir)).toEqual({ signalled: false, forced: false });
  });

  it('never signals a group pid.json does not plausibly own (damaged or forged record)', async () => {
    const dir = tempDir();
    const self = readProcStat(process.pid);
    const forged = { supervisorPid: self?.pgrp ?? 0, supervisorStartTime: 0, pgid: self?.pgrp ?? 0, workerPid: null, workerStartTime: null, claimedAt: 0, startedAt: 0 };
    writeFileSync(attemptPaths(dir).pid, JSON.stringify(forged));
    expect(await killAttempt(dir, { graceMs: 100 })).toEqual({ signalled: false, forced: false });
  });

  it('an aborted wait stops waiting but leaves the worker running (abort is not cancel)', async () => {
    const { dir, started } = await startFixture('hang.mjs');
    const controller = new AbortController();
    const waiting = wait(dir, { signal: controller.signal });
    controller.abort(new Error('actor stopped'));
    await expect(waiting).rejects.toThrow('actor stopped');
    expect(attemptStatus(dir)).toMatchObject({ state: 'running', pid: started.pid });
    await killAttempt(dir, { graceMs: 300 });
  });
});
