import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { BuranError } from '../domain/errors.js';
import { scopesOverlap } from '../scheduler/scopeOverlap.js';
import { writeFileDurable } from '../platform/durableWrite.js';
import { errnoCode } from '../platform/errno.js';
import { type FileLockOptions, withFileLock } from './fileLock.js';

/**
 * Conflict-surface locks across runs in one repository: which run holds which
 * scope (repo-relative globs). Two runs whose scopes overlap (conservatively,
 * see `scopesOverlap`) never hold locks at once.
 *
 * An entry outlives the process that took it: a run that is paused or waiting
 * for its driver to restart still owns its surface (a blocked run releases its
 * own, see docs/workspace.md). Entries go away only by `releaseScope`, or by
 * `recoverStale` / `recoverIf` for runs the store proves no longer hold them.
 */

export const SCOPE_LOCKS_SCHEMA_ID = 'buran.scope-locks/v1';

const ScopeLockEntrySchema = z.strictObject({
  runId: z.string().min(1),
  scope: z.array(z.string()),
  /** ISO time from the injected clock. */
  acquiredAt: z.string(),
  /** The process that last acquired it (informational; a dead pid does not free the scope). */
  pid: z.number().int(),
});
export type ScopeLockEntry = z.output<typeof ScopeLockEntrySchema>;

const ScopeLocksFileSchema = z.strictObject({
  schema: z.literal(SCOPE_LOCKS_SCHEMA_ID),
  locks: z.array(ScopeLockEntrySchema),
});

export interface OverlapPair {
  readonly ours: string;
  readonly theirs: string;
}

export type ScopeAcquireOutcome =
  | { readonly status: 'acquired' }
  | { readonly status: 'conflict'; readonly otherRun: string; readonly overlapping: readonly OverlapPair[] };

export interface ScopeLocks {
  /** Takes `scope` for `runId`, or names the first run (oldest lock) whose scope overlaps it. Idempotent per run. */
  acquireScope(runId: string, scope: readonly string[]): Promise<ScopeAcquireOutcome>;
  /** Frees the run's scope; true when it held one. */
  releaseScope(runId: string): Promise<boolean>;
  listScopeLocks(): Promise<ScopeLockEntry[]>;
  /** Drops the entries of runs the store knows are finished; returns what was dropped. */
  recoverStale(runIdsKnownFinished: Iterable<string>): Promise<ScopeLockEntry[]>;
  /**
   * Drops `runId`'s entry when `idle()` says it holds no scope, asked while the lock file is held: the
   * holder cannot re-take its entry between the answer and the drop. Returns what was dropped.
   */
  recoverIf(runId: string, idle: () => Promise<boolean>): Promise<ScopeLockEntry[]>;
}

export interface ScopeLocksOptions {
  readonly storeDir: string;
  /** Epoch milliseconds; injected so tests and replays are deterministic. */
  readonly now?: () => number;
  readonly lock?: FileLockOptions;
}

/** Which globs of the two scopes overlap, pair by pair. Pure. */
export function overlappingPairs(ours: readonly string[], theirs: readonly string[]): OverlapPair[] {
  return ours.flatMap((a) => theirs.filter((b) => scopesOverlap([a], [b])).map((b) => ({ ours: a, theirs: b })));
}

function sameScope(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((glob, i) => glob === right[i]);
}

/**
 * Scope locks in `<storeDir>/scope-locks.json`, each change made under an
 * O_EXCL lock file and written atomically.
 *
 * @example
 * const locks = createScopeLocks({ storeDir: '.buran' });
 * const got = await locks.acquireScope('run-1', ['src/api/**']);
 * if (got.status === 'conflict') console.log(`held by ${got.otherRun}`);
 */
export function createScopeLocks(options: ScopeLocksOptions): ScopeLocks {
  const file = join(options.storeDir, 'scope-locks.json');
  const lockFile = `${file}.lock`;
  const now = options.now ?? Date.now;

  async function read(): Promise<ScopeLockEntry[]> {
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return null;
      throw error;
    });
    if (text === null) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new BuranError({ code: 'store_corrupt', message: `${file} is not valid JSON`, details: { file }, cause });
    }
    const parsed = ScopeLocksFileSchema.safeParse(raw);
    if (!parsed.success) throw new BuranError({ code: 'store_corrupt', message: `${file} does not match ${SCOPE_LOCKS_SCHEMA_ID}`, details: { file } });
    return parsed.data.locks;
  }

  async function write(locks: readonly ScopeLockEntry[]): Promise<void> {
    await writeFileDurable(file, `${JSON.stringify({ schema: SCOPE_LOCKS_SCHEMA_ID, locks }, null, 2)}\n`);
  }

  async function locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(options.storeDir, { recursive: true });
    return withFileLock(lockFile, fn, options.lock);
  }

  return {
    acquireScope(runId, scope) {
      return locked(async () => {
        const locks = await read();
        const others = locks.filter((entry) => entry.runId !== runId).sort((a, b) => (a.acquiredAt < b.acquiredAt ? -1 : 1));
        for (const other of others) {
          const overlapping = overlappingPairs(scope, other.scope);
          if (overlapping.length > 0) return { status: 'conflict', otherRun: other.runId, overlapping };
        }
        const mine = locks.find((entry) => entry.runId === runId);
        if (mine !== undefined && sameScope(mine.scope, scope) && mine.pid === process.pid) return { status: 'acquired' };
        const entry: ScopeLockEntry = {
          runId,
          scope: [...scope],
          acquiredAt: mine !== undefined && sameScope(mine.scope, scope) ? mine.acquiredAt : new Date(now()).toISOString(),
          pid: process.pid,
        };
        await write([...others, entry].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0)));
        return { status: 'acquired' };
      });
    },

    releaseScope(runId) {
      return locked(async () => {
        const locks = await read();
        const kept = locks.filter((entry) => entry.runId !== runId);
        if (kept.length === locks.length) return false;
        await write(kept);
        return true;
      });
    },

    listScopeLocks: read,

    recoverStale(runIdsKnownFinished) {
      const finished = new Set(runIdsKnownFinished);
      return locked(async () => {
        const locks = await read();
        const dropped = locks.filter((entry) => finished.has(entry.runId));
        if (dropped.length > 0) await write(locks.filter((entry) => !finished.has(entry.runId)));
        return dropped;
      });
    },

    recoverIf(runId, idle) {
      return locked(async () => {
        const locks = await read();
        const dropped = locks.filter((entry) => entry.runId === runId);
        if (dropped.length === 0 || !(await idle())) return [];
        await write(locks.filter((entry) => entry.runId !== runId));
        return dropped;
      });
    },
  };
}
