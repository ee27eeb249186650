import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LockHolder, acquireRunLock, processStartTime } from '../../src/store/index.js';
import { rejection } from './storeContract.js';

const children: ChildProcess[] = [];

function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('child did not start');
  return child.pid;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

function holderFor(pid: number, extra: Partial<LockHolder> = {}): Promise<LockHolder> {
  return Promise.resolve({ pid, startTime: processStartTime(pid), host: hostname(), nonce: 'someone-else', acquiredAt: '2025-01-01T00:00:00.000Z', ...extra });
}

describe('acquireRunLock', () => {
  let dir = '';
  const lockPath = (): string => join(dir, 'lock');
  const writeLock = (holder: LockHolder | string): Promise<void> => writeFile(lockPath(), typeof holder === 'string' ? holder : JSON.stringify(holder));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'buran-lock-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await kill(child);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the holder (pid, /proc start time, host, nonce, time) and release removes it', async () => {
    const lock = await acquireRunLock(dir, { now: () => Date.parse('2025-02-03T04:05:06.000Z') });
    const onDisk = JSON.parse(await readFile(lockPath(), 'utf8')) as LockHolder;
    expect(onDisk).toEqual({ pid: process.pid, startTime: processStartTime(process.pid), host: hostname(), nonce: lock.holder.nonce, acquiredAt: '2025-02-03T04:05:06.000Z' });
    expect(onDisk.startTime).toEqual(expect.any(Number));
    expect(lock.takeover).toBeNull();
    expect(await lock.isHeld()).toBe(true);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    await lock.release();
  });

  it('refuses while a live process holds the lock, naming it; takes over once that process has died', async () => {
    const child = sleeper();
    const holder = await holderFor(pidOf(child));
    await writeLock(holder);
    const error = await rejection(acquireRunLock(dir), 'run_locked');
    expect(error.details).toMatchObject({ lock: lockPath(), foreign: false, holder: { pid: holder.pid, host: hostname(), since: holder.acquiredAt } });
    expect(error.message).toContain(`pid ${holder.pid}`);
    await kill(child);
    const lock = await acquireRunLock(dir);
    expect(lock.takeover).toMatchObject({ reason: 'dead', previous: holder });
    expect(JSON.parse(await readFile(lock.takeover?.movedTo ?? '', 'utf8'))).toEqual(holder);
    await lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (start time differs)', async () => {
    const child = sleeper();
    const real = await holderFor(pidOf(child));
    await writeLock({ ...real, startTime: (real.startTime ?? 0) + 1 });
    const lock = await acquireRunLock(dir);
    expect(lock.takeover).toMatchObject({ reason: 'pid_reused', previous: { pid: real.pid } });
    await lock.release();
  });

  for (const [label, content] of [
    ['an empty', ''],
    ['a NUL-filled', '\0'.repeat(64)],
    ['a half-written', '{"pid":12'],
    ['a wrong-shaped', '{"pid":0,"host":"x"}'],
  ] as const) {
    it(`takes over ${label} lock file (a crash while it was being created)`, async () => {
      await writeLock(content);
      const lock = await acquireRunLock(dir);
      expect(lock.takeover).toMatchObject({ reason: 'corrupt', previous: null });
      expect(await readFile(lock.takeover?.movedTo ?? '', 'utf8')).toBe(content);
      await lock.release();
    });
  }

  it('never takes over a lock from another host, and says how to remove it by hand', async () => {
    await writeLock({ pid: 1, startTime: 1, host: 'elsewhere.example', nonce: 'n', acquiredAt: '2025-01-01T00:00:00.000Z' });
    const error = await rejection(acquireRunLock(dir), 'run_locked');
    expect(error.details).toMatchObject({ foreign: true, holder: { host: 'elsewhere.example', pid: 1 } });
    expect(error.nextSafeAction?.text).toMatch(/remove .*lock by hand/);
  });

  it('does not take over a stopped (SIGSTOP) holder', async () => {
    const child = sleeper();
    await writeLock(await holderFor(pidOf(child)));
    child.kill('SIGSTOP');
    await rejection(acquireRunLock(dir), 'run_locked');
  });

  it('does not take over a zombie holder (it still exists until reaped)', async () => {
    // The background child exits after sh has become `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    const [first] = (await once(createInterface({ input: parent.stdout ?? process.stdin }), 'line')) as [string];
    const zombie = Number(first);
    for (let i = 0; i < 300 && !(await readFile(`/proc/${zombie}/stat`, 'utf8')).includes(') Z '); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(await readFile(`/proc/${zombie}/stat`, 'utf8')).toContain(') Z ');
    await writeLock(await holderFor(zombie));
    await rejection(acquireRunLock(dir), 'run_locked');
  });

  it('keeps a live holder whose start time cannot be compared (recorded as null)', async () => {
    const child = sleeper();
    await writeLock(await holderFor(pidOf(child), { startTime: null }));
    await rejection(acquireRunLock(dir), 'run_locked');
  });

  it('lets exactly one of two concurrent acquires in one process win', async () => {
    const results = await Promise.allSettled([acquireRunLock(dir), acquireRunLock(dir), acquireRunLock(dir)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'run_locked' });
  });

  it('lets exactly one of 20 concurrent acquires take over a stale lock, and that one reports the takeover', async () => {
    const child = sleeper();
    const holder = await holderFor(pidOf(child));
    await kill(child);
    await writeLock(holder);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => acquireRunLock(dir)));
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    expect(won[0]?.takeover).toMatchObject({ reason: 'dead', previous: holder });
    expect((await readdir(dir)).filter((name) => name.startsWith('lock.stale-'))).toHaveLength(1);
  });

  it('clears a breaker file left by a process that crashed mid-takeover', async () => {
    const child = sleeper();
    const dead = await holderFor(pidOf(child));
    await kill(child);
    await writeLock(dead);
    await writeFile(join(dir, 'lock.breaking'), JSON.stringify({ ...dead, nonce: 'crashed-breaker' }));
    const lock = await acquireRunLock(dir);
    expect(lock.takeover).toMatchObject({ reason: 'dead' });
    expect(await readdir(dir)).not.toContain('lock.breaking');
  });

  it('releases only its own lock: after a takeover the old holder leaves the new lock alone', async () => {
    const first = await acquireRunLock(dir);
    const other = await holderFor(process.pid, { nonce: 'the-new-holder' });
    await writeLock(other);
    expect(await first.isHeld()).toBe(false);
    await first.release();
    expect(JSON.parse(await readFile(lockPath(), 'utf8'))).toEqual(other);
  });

  it('reports a missing run folder as not_found', async () => {
    await rejection(acquireRunLock(join(dir, 'missing')), 'not_found');
  });

  describe('with 4 processes racing', () => {
    const fixture = fileURLToPath(new URL('./fixtures/raceLock.ts', import.meta.url));

    async function race(): Promise<Array<{ ok: boolean; code?: string; takeover?: unknown }>> {
      const racers = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', fixture, dir], { stdio: ['pipe', 'pipe', 'inherit'] }));
      children.push(...racers);
      const readers = racers.map((racer) => createInterface({ input: racer.stdout ?? process.stdin })[Symbol.asyncIterator]());
      for (const reader of readers) expect((await reader.next()).value).toBe('ready');
      for (const racer of racers) racer.stdin?.write('go\n');
      const outcomes = await Promise.all(readers.map(async (reader) => JSON.parse(String((await reader.next()).value)) as { ok: boolean; code?: string; takeover?: unknown }));
      for (const racer of racers) racer.stdin?.end('exit\n');
      await Promise.all(racers.map((racer) => (racer.exitCode === null ? once(racer, 'exit') : Promise.resolve())));
      return outcomes;
    }

    it('lets exactly one win a fresh lock', async () => {
      const outcomes = await race();
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok).map((o) => o.code)).toEqual(['run_locked', 'run_locked', 'run_locked']);
      expect(await readdir(dir)).toEqual([]);
    });

    it('lets exactly one take over a stale lock', async () => {
      const child = sleeper();
      const holder = await holderFor(pidOf(child));
      await kill(child);
      await writeLock(holder);
      const outcomes = await race();
      const winners = outcomes.filter((o) => o.ok);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.takeover).toMatchObject({ reason: 'dead', previous: { pid: holder.pid } });
      expect(outcomes.filter((o) => !o.ok).map((o) => o.code)).toEqual(['run_locked', 'run_locked', 'run_locked']);
    });
  });
});
