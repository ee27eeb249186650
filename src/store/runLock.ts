// One driver per run: an exclusive lock file `<runDir>/lock`.
//
// Create: the holder JSON is written and fsync'd under a unique temp name, then
// link(2)ed to `lock`. link fails with EEXIST exactly like open(O_EXCL), but the
// lock never exists empty: with open('wx') + write, a contender reading the
// file between the two calls would see an empty lock, judge it a crashed
// writer's and take it over from a live holder. An empty or corrupt lock can
// therefore only come from a crash (or a hand edit) and is taken over.
//
// Takeover of a stale lock: one breaker at a time (`lock.breaking`, created the
// same exclusive way), which re-checks the lock is still the stale one, keeps it
// as evidence (`lock.stale-<ms>-<random>`, a hard link) and renames its own
// lock over it. `lock` never disappears during a takeover, so a contender
// cannot slip in between, and the winner always learns what it took over.
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { BuranError } from '../domain/errors.js';
import { fsyncDir, writeFileDurable } from '../platform/durableWrite.js';
import { errnoCode } from '../platform/errno.js';
import { probeProcess, processStartTime } from '../platform/process.js';
import { type LockHolder, type StaleReason, judgeHolder, parseLockHolder } from './lockHolder.js';

export type { LockHolder, StaleReason } from './lockHolder.js';

/** A stale lock that was moved aside so this acquisition could proceed. */
export type LockTakeover = {
  readonly reason: StaleReason;
  /** The previous holder; null when the lock file was empty or corrupt. */
  readonly previous: LockHolder | null;
  /** Where the stale lock file now is (`lock.stale-<ms>-<random>`). */
  readonly movedTo: string;
};

export interface HeldLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Non-null when a stale lock was taken over: record it as an event. */
  readonly takeover: LockTakeover | null;
  /** Whether the lock file still holds our nonce. Check before each durable step. */
  isHeld(): Promise<boolean>;
  /** Remove the lock if (and only if) it still holds our nonce. */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  /** Clock, milliseconds since the epoch (for `acquiredAt` and aside names). */
  readonly now?: () => number;
}

/** Rounds of create / judge / take over before giving up under heavy contention. */
const MAX_ROUNDS = 8;

/**
 * Take the run lock `<dir>/lock`, or throw BuranError `run_locked` naming the
 * holder. A holder that is dead, or whose pid now belongs to another process,
 * or a lock left empty by a crash, is taken over (see `takeover`). A lock from
 * another host, or from a live process here (even stopped or a zombie), is not.
 *
 * @example
 * const lock = await acquireRunLock(store.runDir(runId));
 * try { if (lock.takeover) recordTakeover(lock.takeover); ... } finally { await lock.release(); }
 */
export async function acquireRunLock(dir: string, options: AcquireLockOptions = {}): Promise<HeldLock> {
  return acquireLockFile(join(dir, 'lock'), options);
}

/** `acquireRunLock` for any lock file path (the store's registry lock uses it too). */
export async function acquireLockFile(path: string, options: AcquireLockOptions = {}): Promise<HeldLock> {
  const now = options.now ?? Date.now;
  const host = hostname();
  const holder: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    host,
    nonce: randomBytes(16).toString('hex'),
    acquiredAt: new Date(now()).toISOString(),
  };
  const content = `${JSON.stringify(holder)}\n`;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    if (await tryCreate(path, content)) return heldLock(path, holder, null);
    const raw = await readIfPresent(path);
    if (raw === null) continue; // released between our attempt and the read
    const previous = parseLockHolder(raw);
    const verdict = judgeHolder(previous, host, previous?.host === host ? probeProcess(previous.pid) : null);
    if (verdict.kind !== 'stale') throw lockedError(path, previous, verdict.kind === 'foreign');
    const taken = await breakStale(path, raw, { reason: verdict.reason, previous }, holder, content, now);
    if (taken !== null) return heldLock(path, holder, taken);
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8 * (round + 1))); // another breaker is at work
  }
  throw new BuranError({
    code: 'run_locked',
    message: `could not take the lock ${path}: other processes kept taking it`,
    details: { lock: path, foreign: false },
    nextSafeAction: { text: 'Another process is racing for this run; retry when it is done.', command: null },
  });
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  try {
    await writeFileDurable(path, content, { exclusive: true });
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    if (errnoCode(error) === 'ENOENT') {
      throw new BuranError({ code: 'not_found', message: `cannot create the lock: folder ${dirname(path)} does not exist`, details: { lock: path }, cause: error });
    }
    throw error;
  }
}

async function readIfPresent(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Replace the stale lock `judged` with ours, holding `<lock>.breaking` while
 * doing it. Returns null when another breaker is at work or the lock changed
 * (the caller looks again).
 */
async function breakStale(
  path: string,
  judged: Buffer,
  stale: { reason: StaleReason; previous: LockHolder | null },
  us: LockHolder,
  content: string,
  now: () => number,
): Promise<LockTakeover | null> {
  const host = us.host;
  const breaker = `${path}.breaking`;
  if (!(await tryCreate(breaker, content))) {
    // A breaker that crashed mid-takeover leaves this file: clear it if its holder is gone.
    const raw = await readIfPresent(breaker);
    if (raw === null) return null;
    const holder = parseLockHolder(raw);
    const verdict = judgeHolder(holder, host, holder?.host === host ? probeProcess(holder.pid) : null);
    if (verdict.kind === 'stale') await clearStale(breaker, raw, host, now);
    return null;
  }
  try {
    const current = await readIfPresent(path);
    if (current === null || !current.equals(judged)) return null;
    // Still ours? (Only a breaker judged dead can lose this file; we are alive.)
    if (!(await holdsNonce(breaker, us.nonce))) return null;
    const movedTo = `${path}.stale-${now()}-${randomBytes(4).toString('hex')}`;
    await link(path, movedTo);
    await writeFileDurable(path, content); // atomic replace; fsyncs the folder (also for the link)
    return { ...stale, movedTo };
  } finally {
    await unlink(breaker).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error;
    });
  }
}

/**
 * Rename a stale breaker file aside, then check we moved the one we judged.
 * If a contender replaced it in between with a live one, put that back (the
 * same inode, via link).
 */
async function clearStale(path: string, judged: Buffer, host: string, now: () => number): Promise<void> {
  const movedTo = `${path}.stale-${now()}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, movedTo);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return; // another contender moved it first
    throw error;
  }
  const moved = await readFile(movedTo);
  const holder = parseLockHolder(moved);
  if (moved.equals(judged) || judgeHolder(holder, host, holder?.host === host ? probeProcess(holder.pid) : null).kind === 'stale') {
    await fsyncDir(dirname(path));
    return;
  }
  try {
    await link(movedTo, path);
    await unlink(movedTo);
  } catch (error) {
    // EEXIST: a third process created one in the gap; the displaced breaker's
    // replace then fails its own check or loses to the newer lock (see docs/durability.md).
    if (errnoCode(error) !== 'EEXIST') throw error;
  }
  await fsyncDir(dirname(path));
}

async function holdsNonce(path: string, nonce: string): Promise<boolean> {
  const raw = await readIfPresent(path);
  return raw !== null && parseLockHolder(raw)?.nonce === nonce;
}

function heldLock(path: string, holder: LockHolder, takeover: LockTakeover | null): HeldLock {
  const isHeld = (): Promise<boolean> => holdsNonce(path, holder.nonce);
  return {
    path,
    holder,
    takeover,
    isHeld,
    async release() {
      if (!(await isHeld())) return;
      await unlink(path);
      await fsyncDir(dirname(path));
    },
  };
}

function lockedError(path: string, holder: LockHolder | null, foreign: boolean): BuranError {
  const who = holder === null ? 'an unknown holder' : `pid ${holder.pid} on host ${holder.host} since ${holder.acquiredAt}`;
  return new BuranError({
    code: 'run_locked',
    message: `the lock ${path} is held by ${who}`,
    details: { lock: path, foreign, holder: holder === null ? null : { pid: holder.pid, host: holder.host, since: holder.acquiredAt, startTime: holder.startTime } },
    nextSafeAction: foreign
      ? { text: `The lock was taken on another host (${holder?.host ?? 'unknown'}). If that machine is gone or no longer runs buran for this run, remove ${path} by hand, then retry.`, command: null }
      : { text: `Wait for process ${holder?.pid ?? '?'} to finish, or stop it, then retry. A live process (even a stopped one) is never taken over.`, command: null },
  });
}
