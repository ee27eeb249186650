// Who holds a lock file, and whether that holder is still there. Parsing and
// the verdict are pure; the probe (process.ts) is the only I/O. Node builtins only.
import type { ProcessProbe } from './process.js';

/** The content of a lock file. */
export interface LockHolder {
  readonly pid: number;
  /** Start time of `pid` (process.ts `processStartTime`); null where it cannot be read. */
  readonly startTime: number | null;
  readonly host: string;
  /** Random; identifies this acquisition (release removes the lock only if it still holds it). */
  readonly nonce: string;
  /** ISO-8601; '' in a holder written without one. */
  readonly acquiredAt: string;
}

export type StaleReason = 'dead' | 'pid_reused' | 'corrupt';
export type LockVerdict = { readonly kind: 'held' } | { readonly kind: 'foreign' } | { readonly kind: 'stale'; readonly reason: StaleReason };

/**
 * Parse lock bytes; null for anything that is not a complete holder (empty,
 * NUL, partial, wrong shape). A holder without `host` or `acquiredAt` (the
 * workspace lock wrote `{ pid, startTime, nonce }`) is taken as `localHost`'s.
 */
export function parseLockHolder(bytes: Uint8Array, localHost: string): LockHolder | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return null; // an unparsable lock is a crashed writer's; the caller judges it stale
  }
  if (typeof value !== 'object' || value === null) return null;
  const { pid, startTime = null, host = localHost, nonce, acquiredAt = '' } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return null;
  if (startTime !== null && (typeof startTime !== 'number' || !Number.isSafeInteger(startTime))) return null;
  if (typeof host !== 'string' || host === '' || typeof nonce !== 'string' || nonce === '' || typeof acquiredAt !== 'string') return null;
  return { pid, startTime, host, nonce, acquiredAt };
}

/**
 * Pure. A holder on another host is never judged stale (we cannot see its
 * processes). On this host it is stale only when its pid is gone, or the pid
 * now belongs to a process that started at another time. A stopped or zombie
 * holder still exists and keeps the lock; so does one whose start time cannot
 * be compared (fail closed).
 */
export function judgeHolder(holder: LockHolder | null, thisHost: string, probe: ProcessProbe | null): LockVerdict {
  if (holder === null) return { kind: 'stale', reason: 'corrupt' };
  if (holder.host !== thisHost) return { kind: 'foreign' };
  if (probe === null || !probe.exists) return { kind: 'stale', reason: 'dead' };
  if (holder.startTime !== null && probe.startTime !== null && holder.startTime !== probe.startTime) return { kind: 'stale', reason: 'pid_reused' };
  return { kind: 'held' };
}
