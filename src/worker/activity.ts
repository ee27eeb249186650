// What a running attempt shows right now, for live views: its worker's pid,
// heartbeat age and last line of output (stdout.log or stderr.log, whichever
// was written last), redacted and safe to print. Bounded reads only.
import { statSync } from 'node:fs';
import { redactSecrets } from '../domain/redact.js';
import { errnoCode } from '../platform/errno.js';
import { attemptStatus } from './attempt.js';
import { attemptPaths } from './attemptFiles.js';
import { tail } from './tail.js';

/** Bytes read from the end of a log to find its last line. */
const TAIL_BYTES = 2048;

export interface AttemptActivityFacts {
  readonly pid: number | null;
  readonly heartbeatAgeMs: number | null;
  /** The last non-empty output line, redacted; null when the worker printed nothing. */
  readonly lastLine: string | null;
}

/**
 * @example
 * attemptActivity(join(runDir, 'attempts', 'alpha.a1'), Date.now, secretValuesOf(process.env))
 * // { pid: 4242, heartbeatAgeMs: 310, lastLine: 'running the tests' }
 */
export function attemptActivity(attemptDir: string, now: () => number, knownSecrets: readonly string[]): AttemptActivityFacts {
  const status = attemptStatus(attemptDir, now);
  const running = status.state === 'running';
  return { pid: running ? status.pid : null, heartbeatAgeMs: running ? status.heartbeatAgeMs : null, lastLine: lastOutputLine(attemptDir, knownSecrets) };
}

/** The last non-empty line of whichever of stdout.log / stderr.log changed last, redacted. */
export function lastOutputLine(attemptDir: string, knownSecrets: readonly string[]): string | null {
  const paths = attemptPaths(attemptDir);
  const logs = [paths.stdout, paths.stderr].map((file) => ({ file, mtime: mtimeOf(file) })).filter((l) => l.mtime !== null);
  logs.sort((a, b) => (b.mtime ?? 0) - (a.mtime ?? 0));
  for (const { file } of logs) {
    const text = tail(file, TAIL_BYTES);
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = (lines[i] ?? '').trim();
      if (line === '') continue;
      // The first line of a full tail may be the end of a longer line whose start (and a token's prefix) was cut.
      const truncatedStart = i === 0 && Buffer.byteLength(text, 'utf8') >= TAIL_BYTES - 4;
      return redactSecrets(line, { known: knownSecrets, truncatedStart });
    }
  }
  return null;
}

function mtimeOf(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}
