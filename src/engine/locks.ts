import { BuranError } from '../domain/errors.js';
import { acquireRunLock } from '../store/runLock.js';

/** A held run lock. `takeover` names a dead previous holder whose lock was taken over, if any. */
export interface HeldLock {
  readonly takeover: Record<string, unknown> | null;
  /** Whether this driver still holds the lock; asked before every durable write. */
  isHeld(): Promise<boolean>;
  release(): Promise<void>;
}

/** One driver per run. Acquire throws BuranError `run_locked` naming the holder. */
export interface RunLocks {
  acquire(runId: string): Promise<HeldLock>;
}

/**
 * The in-memory twin: exclusive within one process.
 * @example
 * const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => createScriptedEffects() });
 */
export function createMemoryLocks(): RunLocks {
  const held = new Set<string>();
  return {
    acquire(runId) {
      if (held.has(runId)) {
        return Promise.reject(new BuranError({ code: 'run_locked', message: `run ${runId} is being driven by another driver in this process`, details: { runId } }));
      }
      held.add(runId);
      let mine = true;
      return Promise.resolve({
        takeover: null,
        isHeld: () => Promise.resolve(mine && held.has(runId)),
        release: () => {
          mine = false;
          held.delete(runId);
          return Promise.resolve();
        },
      });
    },
  };
}

/**
 * Run locks on disk: one exclusive lock file in each run's folder (see src/store/runLock.ts, src/platform/lockFile.ts).
 * @example
 * const store = createFileStore({ root });
 * const runner = createRunner({ store, locks: createFileLocks((runId) => store.runDir(runId)), effectsFor });
 */
export function createFileLocks(runDir: (runId: string) => string): RunLocks {
  return {
    async acquire(runId) {
      const held = await acquireRunLock(runDir(runId));
      return { takeover: held.takeover as Record<string, unknown> | null, isHeld: () => held.isHeld(), release: () => held.release() };
    },
  };
}
