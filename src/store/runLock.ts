// One driver per run: an exclusive lock file `<runDir>/lock`, a breakable
// lock file (src/platform/lockFile.ts) whose refusals become `run_locked`.
import { dirname, join } from 'node:path';
import { BuranError } from '../domain/errors.js';
import { errnoCode } from '../platform/errno.js';
import { type HeldLock, type LockHolder, liveLockHolder, tryLockFile } from '../platform/lockFile.js';
import { pathExists } from './jsonDocument.js';

export type { HeldLock, LockHolder, LockTakeover, StaleReason } from '../platform/lockFile.js';

export interface AcquireLockOptions {
  /** Clock, milliseconds since the epoch (for `acquiredAt` and aside names). */
  readonly now?: () => number;
}

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

/** The live driver of the run whose folder is `dir` (read only), or null when nobody drives it. */
export function runLockHolder(dir: string): Promise<LockHolder | null> {
  return liveLockHolder(join(dir, 'lock'));
}

/** `acquireRunLock` for any lock file path (the store's registry lock uses it too). */
export async function acquireLockFile(path: string, options: AcquireLockOptions = {}): Promise<HeldLock> {
  let attempt;
  try {
    attempt = await tryLockFile(path, options.now === undefined ? {} : { now: options.now });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' && !(await pathExists(dirname(path)))) {
      throw new BuranError({ code: 'not_found', message: `cannot create the lock: folder ${dirname(path)} does not exist`, details: { lock: path }, cause: error });
    }
    throw error;
  }
  if (attempt.acquired) return attempt.lock;
  if (attempt.contended) {
    throw new BuranError({
      code: 'run_locked',
      message: `could not take the lock ${path}: other processes kept taking it`,
      details: { lock: path, foreign: false },
      nextSafeAction: { text: 'Another process is racing for this run; retry when it is done.', command: null },
    });
  }
  throw lockedError(path, attempt.holder, attempt.foreign);
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
