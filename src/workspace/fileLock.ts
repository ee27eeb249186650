import { randomBytes } from 'node:crypto';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuranError } from '../domain/errors.js';
import { isProcessAlive, processStartTime } from '../platform/process.js';

/**
 * A short-lived cross-process mutex: a lock file created with O_EXCL.
 *
 * A lock whose holder process is dead is broken, but only under a second
 * O_EXCL "breaker" file and only if the lock still holds the exact content
 * that was judged stale. Without the breaker, two waiters that both saw the
 * same dead holder could each delete the lock — the second deleting the lock
 * the first had just taken — and both would enter.
 */

export interface FileLockOptions {
  /** Give up after this many milliseconds of waiting. Default 10 000. */
  readonly timeoutMs?: number;
  /** A lock file that cannot be parsed (a holder between create and write) is stale after this age. Default 5 000 ms. */
  readonly unreadableStaleMs?: number;
}

interface Holder {
  readonly pid: number;
  readonly startTime: number | null;
  readonly nonce: string;
}

function parseHolder(text: string): Holder | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { pid, startTime, nonce } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof nonce !== 'string') return null;
    return { pid, startTime: typeof startTime === 'number' ? startTime : null, nonce };
  } catch {
    // Empty or torn content: the holder is between create and write, or died there.
    return null;
  }
}

async function readText(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  });
}

async function tryCreate(path: string, text: string): Promise<boolean> {
  try {
    await writeFile(path, text, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  }
}

async function removeIfPresent(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isErrno(error, 'ENOENT')) throw error;
  });
}

/** True when the lock content names a dead holder, or is unreadable and old. */
async function isStale(path: string, text: string, unreadableStaleMs: number): Promise<boolean> {
  const holder = parseHolder(text);
  if (holder !== null) return !isProcessAlive(holder.pid, holder.startTime);
  const info = await stat(path).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > unreadableStaleMs;
}

async function breakIfStill(path: string, seen: string, unreadableStaleMs: number): Promise<void> {
  const breaker = `${path}.break`;
  const mine = JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), nonce: randomBytes(8).toString('hex') });
  if (!(await tryCreate(breaker, mine))) {
    const other = await readText(breaker);
    if (other !== null && (await isStale(breaker, other, unreadableStaleMs))) {
      // The breaker's own holder died inside its few-microsecond section.
      if ((await readText(breaker)) === other) await removeIfPresent(breaker);
    }
    return;
  }
  try {
    if ((await readText(path)) === seen) await removeIfPresent(path);
  } finally {
    await removeIfPresent(breaker);
  }
}

/**
 * Runs `fn` while holding the lock file at `path`. Throws `lease_conflict`
 * when a live holder keeps it past the timeout.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const unreadableStaleMs = options.unreadableStaleMs ?? 5_000;
  const content = JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), nonce: randomBytes(8).toString('hex') });
  const deadline = Date.now() + timeoutMs;
  let backoff = 2;
  while (!(await tryCreate(path, content))) {
    const seen = await readText(path);
    if (seen !== null && (await isStale(path, seen, unreadableStaleMs))) {
      await breakIfStill(path, seen, unreadableStaleMs);
      continue;
    }
    if (Date.now() > deadline) {
      throw new BuranError({
        code: 'lease_conflict',
        message: `lock ${path} is held by another live process (${parseHolder(seen ?? '')?.pid ?? 'unknown pid'}) for more than ${timeoutMs} ms`,
        details: { lockFile: path },
      });
    }
    await sleep(backoff + Math.random() * backoff);
    backoff = Math.min(backoff * 2, 50);
  }
  try {
    return await fn();
  } finally {
    // Remove only our own lock: if it was (wrongly) broken, the file is someone else's now.
    if ((await readText(path)) === content) await removeIfPresent(path);
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
