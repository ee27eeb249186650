// Reading a worker's completion file (untrusted, bounded) and the default
// rules that turn it and the exit record into a WorkerEnd.
import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { openRegularFile } from '../platform/regularFile.js';
import { sha256 } from '../domain/hash.js';
import type { WorkerEnd } from '../../machines/task.types.js';
import { type Completion, type ExpectedAttempt, checkCompletion } from '../domain/completion.js';
import { formatProblem } from '../domain/problems.js';
import { redactSecrets } from '../domain/redact.js';
import type { Usage } from '../domain/usage.js';
import { type ExitRecord } from './attemptFiles.js';
import { sanitizeForDisplay } from './tail.js';

/** Largest completion file read (bytes); a bigger one is invalid. Summary, notes and changedFiles are bounded well below this. */
export const MAX_COMPLETION_BYTES = 4 * 1024 * 1024;

/** What is in the completion file right now. `parsed: false` means it was not even JSON (maybe still being written). */
export type CompletionFileState =
  | { readonly state: 'absent' }
  | { readonly state: 'valid'; readonly digest: string; readonly completion: Completion }
  | { readonly state: 'invalid'; readonly digest: string; readonly problems: readonly string[]; readonly parsed: boolean };

/** The exit record as the adapter sees it; digest is `sha256:` of exit.json's bytes. */
export interface ExitInfo {
  readonly record: ExitRecord;
  readonly digest: string;
}

/**
 * Read and check the completion file against the attempt it must answer.
 * Reads at most MAX_COMPLETION_BYTES + 1 bytes; the digest covers what was read.
 */
export function readCompletionFile(file: string, expected: ExpectedAttempt): CompletionFileState {
  const read = readBounded(file, MAX_COMPLETION_BYTES);
  if (read === null) return { state: 'absent' };
  const { bytes, digest, size, refused } = read;
  if (refused !== undefined) return invalid(digest, [`completion file is ${refused}; only a regular file is read`], false);
  if (bytes === null) return invalid(digest, [`completion file is over ${MAX_COMPLETION_BYTES} bytes (${size} read); at most ${MAX_COMPLETION_BYTES} are accepted`], false);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid(digest, ['completion file is not valid UTF-8'], false);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return invalid(digest, [`completion file is not JSON: ${(error as Error).message}`], false);
  }
  const check = checkCompletion(raw, expected);
  if (check.completion === null) return invalid(digest, check.problems.map(formatProblem), true);
  return { state: 'valid', digest, completion: check.completion };
}

function invalid(digest: string, problems: string[], parsed: boolean): CompletionFileState {
  return { state: 'invalid', digest, problems, parsed };
}

/**
 * The completion file's bytes: a regular file only (the worker writes it, so a
 * symlink, FIFO or device is refused without following or blocking on it), at
 * most `max` bytes read into memory and never more than `max + 1` read at all.
 */
function readBounded(file: string, max: number): { bytes: Buffer | null; digest: string; size: number; refused?: string } | null {
  const opened = openRegularFile(file);
  if (opened.kind === 'missing') return null;
  if (opened.kind === 'refused') return { bytes: null, digest: sha256(opened.why === 'a symbolic link' ? 'symbolic link' : opened.why), size: 0, refused: opened.why };
  const { fd } = opened;
  try {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    let size = 0;
    while (size <= max) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, max + 1 - size), null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      chunks.push(Buffer.from(chunk.subarray(0, n)));
      size += n;
    }
    return { bytes: size <= max ? Buffer.concat(chunks) : null, digest: `sha256:${hash.digest('hex')}`, size };
  } finally {
    closeSync(fd);
  }
}

function usageOf(completion: Completion): Usage | null {
  return completion.usage === undefined ? null : { ...completion.usage, unknownAttempts: 0 };
}

/** The outcome a completion file decides on its own; null when there is none. */
export function outcomeFromCompletionFile(state: CompletionFileState): WorkerEnd | null {
  switch (state.state) {
    case 'absent':
      return null;
    case 'invalid':
      return { kind: 'invalid', digest: state.digest, problems: state.problems, usage: null };
    case 'valid': {
      const { completion } = state;
      return {
        kind: 'completion',
        status: completion.status,
        digest: state.digest,
        // Untrusted text kept in events and reports: display-safe, secrets redacted.
        summary: redactSecrets(sanitizeForDisplay(completion.summary)),
        changedFiles: completion.changedFiles ?? [],
        usage: usageOf(completion),
      };
    }
  }
}

/** How a worker ended, in words: `exited 0`, `was killed by SIGTERM`, `could not be started: …`. */
export function describeExit(exit: ExitRecord): string {
  if (exit.error !== null) return `could not be started: ${exit.error}`;
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  return `exited ${exit.code ?? 'with an unknown status'}`;
}

/** Reason of the `missing` outcome when the supervisor died without recording the exit. */
export const SUPERVISOR_DIED = 'supervisor died without an exit record';

/**
 * The default derivation, for agent adapters that must write a completion
 * file: the file decides; without one the attempt is `missing`, whatever the
 * exit status.
 * @example
 * const adapter: WorkerAdapter = { name: 'mine', check, buildInvocation, deriveOutcome: defaultDeriveOutcome };
 */
export function defaultDeriveOutcome(exit: ExitInfo | null, completion: CompletionFileState): WorkerEnd {
  const fromFile = outcomeFromCompletionFile(completion);
  if (fromFile !== null) return fromFile;
  if (exit === null) return { kind: 'missing', reason: SUPERVISOR_DIED };
  return { kind: 'missing', reason: `worker ${describeExit(exit.record)} without a completion file` };
}
