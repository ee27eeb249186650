// A supervisor started ahead of its attempt ("warm", see supervisorPool.ts)
// learns its attempt from one line on stdin: the attempt folder, its spec and
// the worker's environment (through the pipe, never on disk). Node builtins
// only: the detached supervisor imports this.
import { readSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { errnoCode } from '../platform/errno.js';

/** The argument that starts a supervisor warm: it waits on stdin for its assignment. */
export const WARM_FLAG = '--warm';

/** Longest assignment line read (bytes): an environment is small. */
const MAX_ASSIGNMENT_BYTES = 4 * 1024 * 1024;

export interface SupervisorAssignment {
  readonly schema: 'buran.supervisor-assignment/v1';
  /** The attempt folder, absolute. */
  readonly attemptDir: string;
  /** Its spec.json, absolute. */
  readonly specFile: string;
  /** The worker's environment; the spec's envNames say which of these reach it. */
  readonly env: Readonly<Record<string, string>>;
}

/** The line a runner writes to a warm supervisor's stdin. */
export function assignmentLine(a: Omit<SupervisorAssignment, 'schema'>): string {
  return `${JSON.stringify({ schema: 'buran.supervisor-assignment/v1', ...a } satisfies SupervisorAssignment)}\n`;
}

/** The JSON object in `text` (a supervisor's spec or assignment), or why it is not one. Pure. */
export function jsonObjectOf(text: string): Record<string, unknown> | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : 'not an object';
}

/** The assignment in `text` (one JSON line), or why it is refused. Pure. */
export function parseAssignment(text: string): SupervisorAssignment | string {
  const a = jsonObjectOf(text);
  if (typeof a === 'string') return a;
  if (a['schema'] !== 'buran.supervisor-assignment/v1') return 'schema must be "buran.supervisor-assignment/v1"';
  for (const key of ['attemptDir', 'specFile'] as const) {
    const value = a[key];
    if (typeof value !== 'string' || !isAbsolute(value)) return `${key} must be an absolute path`;
  }
  const env = a['env'];
  if (typeof env !== 'object' || env === null || Array.isArray(env) || !Object.values(env).every((v) => typeof v === 'string')) {
    return 'env must be an object of strings';
  }
  return a as unknown as SupervisorAssignment;
}

/**
 * Block until one line arrives on `fd` (the runner's pipe). Null when the pipe
 * closed first: the runner retired this supervisor, or ended, before it had an
 * attempt for it.
 */
export function readAssignmentLine(fd = 0): string | null {
  const chunks: Buffer[] = [];
  let size = 0;
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if (errnoCode(error) !== 'EAGAIN') throw error;
      // A non-blocking pipe: wait a little without spinning.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      continue;
    }
    if (n === 0) return null;
    const chunk = Buffer.from(buffer.subarray(0, n));
    const end = chunk.indexOf(0x0a);
    if (end >= 0) {
      chunks.push(chunk.subarray(0, end));
      return Buffer.concat(chunks).toString('utf8');
    }
    chunks.push(chunk);
    size += n;
    if (size > MAX_ASSIGNMENT_BYTES) throw new Error(`assignment longer than ${MAX_ASSIGNMENT_BYTES} bytes`);
  }
}
