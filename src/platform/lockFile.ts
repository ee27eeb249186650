// A lock file whose stale holder can be broken safely. Node builtins only.
//
// Create: the holder JSON is written and fsync'd under a unique temp name, then
// link(2)ed to the lock path. link fails with EEXIST exactly like
// open(O_EXCL), but the lock never exists empty: with open('wx') + write, a
// contender reading the file between the two calls would see an empty lock,
// judge it a crashed writer's and take it over from a live holder. An empty or
// corrupt lock can therefore only come from a crash (or a hand edit).
//
// Takeover of a stale lock: one breaker at a time (`<lock>.breaking`, created
// the same exclusive way), which re-checks the lock is still the stale one,
// keeps it as evidence (`<lock>.stale-<ms>-<random>`, a hard link) and renames
// its own lock over it. The lock never disappears during a takeover, so a
// contender cannot slip in between, and the winner always learns what it took over.
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { fsyncDir, writeFileDurable } from './durableWrite.js';
import { errnoCode } from './errno.js';
import { type LockHolder, type LockVerdict, type StaleReason, judgeHolder, parseLockHolder } from './lockHolder.js';
import { probeProcess, processStartTime } from './process.js';

export type { LockHolder, StaleReason } from './lockHolder.js';

/** A stale lock that was moved aside so this acquisition could proceed. */
export interface LockTakeover {
  readonly reason: StaleReason;
  /** The previous holder; null when the lock file was empty or corrupt. */
  readonly previous: LockHolder | null;
  /** Where the stale lock file now is (`<lock>.stale-<ms>-<random>`). */
  readonly movedTo: string;
}

export interface HeldLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Non-null when a stale lock was taken over. */
  readonly takeover: LockTakeover | null;
  /** Whether the lock file still holds our nonce. */
  isHeld(): Promise<boolean>;
  /** Remove the lock if (and only if) it still holds our nonce. */
  release(): Promise<void>;
}

/**
 * `acquired: false`: a live (or foreign, or too young to judge) holder has it,
 * or, with `contended`, other processes kept taking it round after round.
 */
export type LockAttempt =
  | { readonly acquired: true; readonly lock: HeldLock }
  | { readonly acquired: false; readonly holder: LockHolder | null; readonly foreign: boolean; readonly contended: boolean };

export interface LockFileOptions {
  /** Clock, milliseconds since the epoch (for `acquiredAt`, aside names and the age of a corrupt lock). */
  readonly now?: () => number;
  /** A corrupt lock is stale only once its mtime is this old (ms). Default 0: at once. */
  readonly corruptGraceMs?: number;
}

/** Rounds of create / judge / take over before giving up under heavy contention. */
const MAX_ROUNDS = 8;

/**
 * One attempt to take the lock file `path`: create it, or take over a stale
 * one (a holder that is dead, or whose pid now belongs to another process, or
 * a corrupt lock). A lock from another host, or from a live process here (even
 * stopped or a zombie), is not taken. Never waits for a live holder.
 * Errors of the file system (ENOENT for a missing folder) are thrown as they are.
 *
 * @example
 * const attempt = await tryLockFile(join(dir, 'lock'));
 * if (attempt.acquired) try { ... } finally { await attempt.lock.release(); }
 */
export async function tryLockFile(path: string, options: LockFileOptions = {}): Promise<LockAttempt> {
  const now = options.now ?? Date.now;
  const host = hostname();
  const holder: LockHolder = { pid: process.pid, startTime: processStartTime(process.pid), host, nonce: randomBytes(16).toString('hex'), acquiredAt: new Date(now()).toISOString() };
  const content = `${JSON.stringify(holder)}\n`;
  const judge = (file: string, raw: Buffer): Promise<LockVerdict> => judgeFile(file, raw, host, options.corruptGraceMs ?? 0, now);
  let last: LockHolder | null = null;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    if (await tryCreate(path, content)) return { acquired: true, lock: heldLock(path, holder, null, host) };
    const raw = await readIfPresent(path);
    if (raw === null) continue; // released between our attempt and the read
    last = parseLockHolder(raw, host);
    const verdict = await judge(path, raw);
    if (verdict.kind !== 'stale') return { acquired: false, holder: last, foreign: verdict.kind === 'foreign', contended: false };
    const taken = await breakStale(path, raw, { reason: verdict.reason, previous: last }, holder, content, now, judge);
    if (taken !== null) return { acquired: true, lock: heldLock(path, holder, taken, host) };
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8 * (round + 1))); // another breaker is at work
  }
  return { acquired: false, holder: last, foreign: false, contended: true };
}

/**
 * Who holds the lock file `path` now, read only (nothing is taken over): the
 * holder when it is alive here or on another host, null when there is no lock
 * or its holder is gone (a dead or corrupt lock is no driver).
 */
export async function liveLockHolder(path: string): Promise<LockHolder | null> {
  const raw = await readIfPresent(path);
  if (raw === null) return null;
  const host = hostname();
  const holder = parseLockHolder(raw, host);
  const verdict = judgeHolder(holder, host, holder?.host === host ? probeProcess(holder.pid) : null);
  return verdict.kind === 'stale' ? null : holder;
}

async function judgeFile(path: string, raw: Buffer, host: string, corruptGraceMs: number, now: () => number): Promise<LockVerdict> {
  const holder = parseLockHolder(raw, host);
  const verdict = judgeHolder(holder, host, holder?.host === host ? probeProcess(holder.pid) : null);
  if (holder !== null || corruptGraceMs <= 0) return verdict;
  // A corrupt lock younger than the grace may be a writer between create and write (locks not made by link).
  const info = await stat(path).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  });
  return info !== null && now() - info.mtimeMs > corruptGraceMs ? verdict : { kind: 'held' };
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  try {
    await writeFileDurable(path, content, { exclusive: true });
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
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
  judge: (file: string, raw: Buffer) => Promise<LockVerdict>,
): Promise<LockTakeover | null> {
  const breaker = `${path}.breaking`;
  if (!(await tryCreate(breaker, content))) {
    // A breaker that crashed mid-takeover leaves this file: clear it if its holder is gone.
    const raw = await readIfPresent(breaker);
    if (raw === null) return null;
    if ((await judge(breaker, raw)).kind === 'stale') await clearStale(breaker, raw, us.host, now);
    return null;
  }
  try {
    const current = await readIfPresent(path);
    if (current === null || !current.equals(judged)) return null;
    // Still ours? (Only a breaker judged dead can lose this file; we are alive.)
    if (!(await holdsNonce(breaker, us.nonce, us.host))) return null;
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
  const holder = parseLockHolder(moved, host);
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

async function holdsNonce(path: string, nonce: string, host: string): Promise<boolean> {
  const raw = await readIfPresent(path);
  return raw !== null && parseLockHolder(raw, host)?.nonce === nonce;
}

function heldLock(path: string, holder: LockHolder, takeover: LockTakeover | null, host: string): HeldLock {
  const isHeld = (): Promise<boolean> => holdsNonce(path, holder.nonce, host);
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
