import { unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuranError } from '../domain/errors.js';
import { errnoCode } from '../platform/errno.js';
import { type HeldLock, type LockAttempt, tryLockFile } from '../platform/lockFile.js';

/**
 * A short-lived cross-process mutex over a breakable lock file
 * (src/platform/lockFile.ts): a lock whose holder process is dead is taken
 * over, one breaker at a time, and only if it still holds the content judged
 * stale. A live holder is waited for, up to a timeout.
 */

export interface FileLockOptions {
  /** Give up after this many milliseconds of waiting. Default 10 000. */
  readonly timeoutMs?: number;
  /** A lock file that cannot be parsed is stale after this age. Default 5 000 ms. */
  readonly unreadableStaleMs?: number;
}

/**
 * Runs `fn` while holding the lock file at `path`. Throws `lease_conflict`
 * when a live holder keeps it past the timeout.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const corruptGraceMs = options.unreadableStaleMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  let backoff = 2;
  let attempt: LockAttempt;
  while (!(attempt = await tryLockFile(path, { corruptGraceMs })).acquired) {
    if (Date.now() > deadline) {
      throw new BuranError({
        code: 'lease_conflict',
        message: `lock ${path} is held by another live process (${attempt.holder?.pid ?? 'unknown pid'}) for more than ${timeoutMs} ms`,
        details: { lockFile: path },
      });
    }
    await sleep(backoff + Math.random() * backoff);
    backoff = Math.min(backoff * 2, 50);
  }
  const lock: HeldLock = attempt.lock;
  // The stale lock a takeover moved aside is of no further use here.
  if (lock.takeover !== null) await removeIfPresent(lock.takeover.movedTo);
  try {
    return await fn();
  } finally {
    // Removes only our own lock: if it was (wrongly) broken, the file is someone else's now.
    await lock.release();
  }
}

async function removeIfPresent(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (errnoCode(error) !== 'ENOENT') throw error;
  });
}
