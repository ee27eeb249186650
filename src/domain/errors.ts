import { type BlockerCode, type NextSafeAction, isBlockerCode, nextSafeActionFor } from './blockers.js';

/**
 * Error codes that are not run blockers: they describe bad input or a
 * broken environment at the edge (CLI, store, loader). Stable public API.
 * @example
 * const edgeError = isBuranError(e) && e.code in ERROR_CODES; // bad input or environment, not a run blocker
 */
export const ERROR_CODES = {
  invalid_input: 'Input did not parse or did not match its schema.',
  not_found: 'A named file, run or artifact does not exist.',
  not_a_git_repo: 'The command needs a git repository.',
  run_locked: 'Another driver holds the run lock.',
  store_unwritable: 'The store could not write (disk full, quota, read-only or I/O error); everything written before stands.',
  queue_not_durable: 'The Redis behind the attempt queue is not configured to keep what it acknowledged (appendonly, appendfsync, maxmemory-policy).',
  queue_unavailable: 'The attempt queue (Redis) could not be reached or answered unexpectedly.',
  internal: 'An unexpected internal error.',
} as const;
export type ErrorOnlyCode = keyof typeof ERROR_CODES;
export type BuranErrorCode = ErrorOnlyCode | BlockerCode;

export interface BuranErrorInit {
  readonly code: BuranErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  readonly nextSafeAction?: NextSafeAction;
  readonly cause?: unknown;
}

/**
 * The one error family of buran. `code` is stable API; `cause` keeps the
 * original error. Prefer returning results; throw this only at edges.
 * @example
 * throw new BuranError({ code: 'not_found', message: `run ${runId} does not exist`, details: { runId } });
 */
export class BuranError extends Error {
  readonly code: BuranErrorCode;
  readonly details: Record<string, unknown>;
  readonly nextSafeAction: NextSafeAction | null;

  constructor(init: BuranErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'BuranError';
    this.code = init.code;
    this.details = init.details ?? {};
    this.nextSafeAction =
      init.nextSafeAction ?? (isBlockerCode(init.code) ? nextSafeActionFor(init.code, typeof init.details?.['runId'] === 'string' ? init.details['runId'] : '<run>') : null);
  }

  toJSON(): { code: BuranErrorCode; message: string; details: Record<string, unknown>; nextSafeAction: NextSafeAction | null } {
    return { code: this.code, message: this.message, details: this.details, nextSafeAction: this.nextSafeAction };
  }
}

/**
 * Whether a caught value is a BuranError (its `code` is then stable API).
 * @example
 * try { await runner.drive(runId); } catch (e) { if (isBuranError(e)) console.error(e.code, e.nextSafeAction?.command); else throw e; }
 */
export function isBuranError(value: unknown): value is BuranError {
  return value instanceof BuranError;
}
