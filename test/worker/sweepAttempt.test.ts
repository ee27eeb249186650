// Unsandboxed leftovers of an attempt (a setsid'd grandchild, outside the worker's process group) are found by the
// attempt id they inherited and killed; a process with another id is left alone. Where environments cannot be read
// (the POSIX ps table), the attempt's own process group is killed instead.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessFacts, isProcessAlive, processesWithEnv, signalGroup, signalProcess } from '../../src/platform/process.js';
import { posixProcessTable } from '../../src/platform/posixProcessTable.js';
import type { PidRecord } from '../../src/worker/attemptFiles.js';
import { sweepAttempt, sweepConfinedAttempt } from '../../src/worker/sweepAttempt.js';

const RUN = `sweep-run-${process.pid}`;
const root = mkdtempSync(join(tmpdir(), 'buran-sweep-'));
const leftovers: number[] = [];
afterAll(() => {
  for (const pid of leftovers) signalProcess(pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const sleeper = (attemptId: string, runId = RUN) => {
  // setsid: the sleeper leads its own session and group, as a daemonising worker's child would.
  const child = spawn('setsid', ['sleep', '30'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BURAN_RUN_ID: runId, BURAN_ATTEMPT_ID: attemptId }, stdio: 'ignore', detached: true });
  child.unref();
  return child;
};

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
};

describe('sweepAttempt', () => {
  it('kills the processes tagged with the run and attempt id and only those (the same attempt id of another run is left alone)', async () => {
    const OTHER_RUN = `${RUN}-other`;
    const tagged = (runId: string, attemptId: string) => processesWithEnv([`BURAN_RUN_ID=${runId}`, `BURAN_ATTEMPT_ID=${attemptId}`]) ?? [];
    sleeper('a.a1');
    sleeper('b.a1');
    sleeper('a.a1', OTHER_RUN);
    expect(await waitFor(() => tagged(RUN, 'a.a1').length === 1 && tagged(RUN, 'b.a1').length === 1 && tagged(OTHER_RUN, 'a.a1').length === 1)).toBe(true);
    const [sameAttemptOtherRun = 0] = tagged(OTHER_RUN, 'a.a1');
    const [otherAttempt = 0] = tagged(RUN, 'b.a1');

    const noPidRecord = join(root, 'never-started');
    expect(sweepAttempt(RUN, 'a.a1', noPidRecord)).toHaveLength(1);
    expect(await waitFor(() => tagged(RUN, 'a.a1').length === 0)).toBe(true);
    expect(isProcessAlive(sameAttemptOtherRun)).toBe(true);
    expect(isProcessAlive(otherAttempt)).toBe(true);
    expect(sweepAttempt(RUN, 'b.a1', noPidRecord)).toEqual([otherAttempt]);
    expect(sweepAttempt(OTHER_RUN, 'a.a1', noPidRecord)).toEqual([sameAttemptOtherRun]);
  });

  it('without environments to search (POSIX ps), kills the process group pid.json records, and cannot see a setsid descendant', async () => {
    const facts = createProcessFacts(posixProcessTable);
    // Not detached, so setsid need not fork: its pid becomes the sleeper's, in a session of its own.
    const outside = spawn('setsid', ['sleep', '30'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BURAN_RUN_ID: RUN, BURAN_ATTEMPT_ID: 'c.a1' }, stdio: 'ignore' });
    // The attempt's group: a leader standing in for the supervisor, with members left running after the worker ended.
    const leader = spawn('sh', ['-c', 'sleep 30 & sleep 30 & echo started; wait'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const pgid = leader.pid ?? 0;
    leftovers.push(outside.pid ?? 0);
    await once(createInterface({ input: leader.stdout }), 'line');
    const startTime = facts.processStartTime(pgid) ?? 0;
    const dir = join(root, 'c.a1');
    mkdirSync(dir, { recursive: true });
    const record: PidRecord = { supervisorPid: pgid, supervisorStartTime: startTime, pgid, workerPid: null, workerStartTime: null, claimedAt: Date.now(), startedAt: null };
    writeFileSync(join(dir, 'pid.json'), JSON.stringify(record));
    try {
      expect(facts.processesWithEnv([`BURAN_RUN_ID=${RUN}`])).toBeNull();
      const killed = sweepAttempt(RUN, 'c.a1', dir, facts);
      expect(killed).toContain(pgid);
      expect(killed.length).toBeGreaterThanOrEqual(3);
      expect(await waitFor(() => !facts.isGroupAlive(pgid))).toBe(true);
      expect(isProcessAlive(outside.pid ?? 0)).toBe(true);
    } finally {
      signalGroup(pgid, 'SIGKILL');
    }
  });

  it('without environments to search, leaves a group alone whose leader pid now belongs to another process', async () => {
    const facts = createProcessFacts(posixProcessTable);
    const leader = spawn('sh', ['-c', 'echo started; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const pgid = leader.pid ?? 0;
    await once(createInterface({ input: leader.stdout }), 'line');
    const dir = join(root, 'd.a1');
    mkdirSync(dir, { recursive: true });
    const startTime = (facts.processStartTime(pgid) ?? 0) - 60;
    writeFileSync(join(dir, 'pid.json'), JSON.stringify({ supervisorPid: pgid, supervisorStartTime: startTime, pgid, workerPid: null, workerStartTime: null, claimedAt: Date.now(), startedAt: null } satisfies PidRecord));
    try {
      expect(sweepAttempt(RUN, 'd.a1', dir, facts)).toEqual([]);
      expect(facts.isProcessAlive(pgid)).toBe(true);
    } finally {
      signalGroup(pgid, 'SIGKILL');
    }
  });

  it('an attempt confined in its own PID namespace is swept by its process group alone: no process is searched by its tag', async () => {
    const facts = createProcessFacts(posixProcessTable);
    const leader = spawn('sh', ['-c', 'sleep 30 & echo started; wait'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const pgid = leader.pid ?? 0;
    await once(createInterface({ input: leader.stdout }), 'line');
    const dir = join(root, 'e.a1');
    mkdirSync(dir, { recursive: true });
    const startTime = facts.processStartTime(pgid) ?? 0;
    writeFileSync(join(dir, 'pid.json'), JSON.stringify({ supervisorPid: pgid, supervisorStartTime: startTime, pgid, workerPid: null, workerStartTime: null, claimedAt: Date.now(), startedAt: null } satisfies PidRecord));
    try {
      expect(sweepConfinedAttempt(dir, facts)).toBe(true);
      expect(await waitFor(() => !facts.isGroupAlive(pgid))).toBe(true);
      expect(sweepConfinedAttempt(join(root, 'never-started'), facts)).toBe(false);
    } finally {
      signalGroup(pgid, 'SIGKILL');
    }
  });
});
