// The store's errors: every failure leaves as a BuranError with a stable code,
// the path involved, and what a human should do next. Never a default value.
import { BuranError } from '../domain/errors.js';
import { isRunId } from '../domain/runId.js';
import { errnoCode } from '../platform/errno.js';

/** Why a store file was judged corrupt (stable strings, used in `details.reason`). */
export type CorruptReason =
  | 'missing'
  | 'empty'
  | 'nul_filled'
  | 'invalid_json'
  | 'bad_shape'
  | 'bad_line'
  | 'bad_seq'
  | 'unreadable';

const ARTIFACT_HASH = /^sha256:[0-9a-f]{64}$/;

/** A file the store needs is missing or unreadable; nothing was reset or replaced. */
export function storeCorrupt(path: string, reason: CorruptReason, message: string, extra: Record<string, unknown> = {}, cause?: unknown): BuranError {
  return new BuranError({
    code: 'store_corrupt',
    message: `${message} (${path})`,
    details: { path, reason, ...extra },
    nextSafeAction: {
      text: `Restore ${path} from a backup, or move its run folder aside (the run is then lost); buran never rebuilds or resets it silently.`,
      command: null,
    },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The next safe action for a run index (`runs.json`) that is missing or does not parse: rebuild it from the run folders. */
export const REBUILD_INDEX_ACTION = {
  text: 'Rebuild the run index from the run folders: `buran doctor` says what it finds, `buran doctor --fix` rebuilds it (runs it cannot prove are moved to .buran/quarantine/, nothing is deleted).',
  command: 'buran doctor --fix',
} as const;

/** The same store_corrupt error, with the rebuild of the index as its next safe action. */
export function indexCorrupt(error: unknown): unknown {
  if (!(error instanceof BuranError) || error.code !== 'store_corrupt') return error;
  return new BuranError({ code: error.code, message: error.message, details: error.details, nextSafeAction: { ...REBUILD_INDEX_ACTION }, cause: error });
}

/**
 * A record whose bytes no longer match the digest that names them (an
 * artifact and its content address): changed outside buran. The same code the
 * engine's seal reports (evidence_tampered), with the file relative to the run folder.
 */
export function evidenceTampered(runId: string, file: string, reason: string, extra: Record<string, unknown> = {}): BuranError {
  return new BuranError({
    code: 'evidence_tampered',
    message: `run ${runId}: ${file} ${reason}; the run's records were changed outside buran and are not trusted`,
    details: { runId, file, reason, ...extra },
  });
}

/**
 * A run id is a slug (`^[a-z0-9][a-z0-9-]{0,63}$`); anything else is rejected
 * before it can become part of a path.
 */
export function assertRunId(runId: unknown): asserts runId is string {
  if (!isRunId(runId)) {
    throw new BuranError({
      code: 'invalid_input',
      message: `invalid run id ${JSON.stringify(runId)}: use 1-64 characters a-z, 0-9 and "-", starting with a letter or digit`,
      details: { runId: typeof runId === 'string' ? runId : String(runId) },
    });
  }
}

/** An artifact hash is `sha256:<64 lowercase hex>`. */
export function assertArtifactHash(hash: unknown): asserts hash is string {
  if (typeof hash !== 'string' || !ARTIFACT_HASH.test(hash)) {
    throw new BuranError({ code: 'invalid_input', message: `invalid artifact hash ${JSON.stringify(hash)}: expected sha256:<64 hex>`, details: { hash: String(hash) } });
  }
}

export function runNotFound(runId: string): BuranError {
  return new BuranError({
    code: 'not_found',
    message: `run ${runId} does not exist`,
    details: { runId },
    nextSafeAction: { text: 'List the runs and use one of their ids.', command: 'buran status' },
  });
}

export function runExists(runId: string): BuranError {
  return new BuranError({ code: 'invalid_input', message: `run ${runId} already exists`, details: { runId } });
}

export function artifactNotFound(runId: string, hash: string): BuranError {
  return new BuranError({ code: 'not_found', message: `artifact ${hash} does not exist in run ${runId}`, details: { runId, hash } });
}

/** Events must carry `seq` = previous seq + 1 (the log starts at 1, no gaps). */
export function badEventSeq(runId: string, index: number, expected: number, got: unknown): BuranError {
  return new BuranError({
    code: 'invalid_input',
    message: `event ${index} of the batch for run ${runId} has seq ${JSON.stringify(got)}; expected ${expected}`,
    details: { runId, index, expected, got: got === undefined ? null : got },
  });
}

/** errno codes of a write the environment refused (not a bug, not corruption). */
const WRITE_FAILURES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EFBIG']);

/**
 * A write refused by the environment becomes `store_unwritable` naming the path
 * and errno; any other error is returned unchanged. Nothing durable was lost:
 * appends and replacements are all-or-nothing (a cut append is a torn tail).
 */
export function writeFailure(path: string, error: unknown): unknown {
  const errno = errnoCode(error);
  if (errno === undefined || !WRITE_FAILURES.has(errno)) return error;
  return new BuranError({
    code: 'store_unwritable',
    message: `cannot write ${path}: ${error instanceof Error ? error.message : errno}`,
    details: { path, errno },
    nextSafeAction: { text: 'Free disk space (or fix the file system), then run the same command again: everything written before the failure is intact.', command: null },
    cause: error,
  });
}


/** A run folder whose index entry is gone: the index is damaged (it is never re-created silently). */
export function runIndexMissing(path: string, runId: string): BuranError {
  return storeCorrupt(path, 'missing', `run ${runId} has no entry in the run index`, { runId });
}
