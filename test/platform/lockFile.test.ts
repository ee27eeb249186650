import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LockHolder, tryLockFile } from '../../src/platform/lockFile.js';
import { processStartTime } from '../../src/platform/process.js';

const children: ChildProcess[] = [];
let dir = '';
const lockPath = (): string => join(dir, 'lock');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'buran-platform-lock-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
  await rm(dir, { recursive: true, force: true });
});

function sleeper(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('child did not start');
  return child.pid;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('child did not start');
  return child.pid;
}

function holderFor(pid: number): LockHolder {
  return { pid, startTime: processStartTime(pid), host: hostname(), nonce: `n${pid}`, acquiredAt: '2025-01-01T00:00:00.000Z' };
}

describe('tryLockFile', () => {
  it('creates the lock with its holder, and release removes only its own lock', async () => {
    const attempt = await tryLockFile(lockPath(), { now: () => Date.parse('2025-02-03T04:05:06.000Z') });
    if (!attempt.acquired) throw new Error('not acquired');
    expect(JSON.parse(await readFile(lockPath(), 'utf8'))).toEqual({
      pid: process.pid,
      startTime: processStartTime(process.pid),
      host: hostname(),
      nonce: attempt.lock.holder.nonce,
      acquiredAt: '2025-02-03T04:05:06.000Z',
    });
    expect(await attempt.lock.isHeld()).toBe(true);
    await attempt.lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not take a lock from a live holder, and names it', async () => {
    const holder = holderFor(sleeper());
    await writeFile(lockPath(), JSON.stringify(holder));
    expect(await tryLockFile(lockPath())).toEqual({ acquired: false, holder, foreign: false, contended: false });
  });

  it('does not take a lock from another host', async () => {
    const holder = { ...holderFor(process.pid), host: 'elsewhere.example' };
    await writeFile(lockPath(), JSON.stringify(holder));
    expect(await tryLockFile(lockPath())).toMatchObject({ acquired: false, foreign: true });
  });

  it('takes over a dead holder’s lock, keeping it as evidence beside the lock', async () => {
    const holder = holderFor(await deadPid());
    await writeFile(lockPath(), JSON.stringify(holder));
    const attempt = await tryLockFile(lockPath());
    if (!attempt.acquired) throw new Error('not acquired');
    expect(attempt.lock.takeover).toMatchObject({ reason: 'dead', previous: holder });
    expect(JSON.parse(await readFile(attempt.lock.takeover?.movedTo ?? '', 'utf8'))).toEqual(holder);
    expect(await attempt.lock.isHeld()).toBe(true);
  });

  it('clears a breaker file left by a dead breaker', async () => {
    await writeFile(lockPath(), JSON.stringify(holderFor(await deadPid())));
    await writeFile(`${lockPath()}.breaking`, JSON.stringify(holderFor(await deadPid())));
    const attempt = await tryLockFile(lockPath());
    expect(attempt.acquired).toBe(true);
    expect(await readdir(dir)).not.toContain('lock.breaking');
  });

  it('takes a corrupt lock at once by default, but only once it is old with a grace', async () => {
    await writeFile(lockPath(), '');
    expect(await tryLockFile(lockPath(), { corruptGraceMs: 60_000 })).toEqual({ acquired: false, holder: null, foreign: false, contended: false });
    const old = new Date(Date.now() - 120_000);
    await utimes(lockPath(), old, old);
    expect(await tryLockFile(lockPath(), { corruptGraceMs: 60_000 })).toMatchObject({ acquired: true, lock: { takeover: { reason: 'corrupt', previous: null } } });

    const cut = join(dir, 'cut.lock');
    await writeFile(cut, '{"pid":12');
    expect(await tryLockFile(cut)).toMatchObject({ acquired: true, lock: { takeover: { reason: 'corrupt' } } });
  });

  it('lets exactly one of many concurrent attempts win', async () => {
    const attempts = await Promise.all(Array.from({ length: 10 }, () => tryLockFile(lockPath())));
    expect(attempts.filter((attempt) => attempt.acquired)).toHaveLength(1);
  });

  it('throws ENOENT when the folder does not exist', async () => {
    await expect(tryLockFile(join(dir, 'missing', 'lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
