// The files of one attempt folder and their record shapes (their durable
// writes: src/platform/durableWrite.ts). Node builtins only: the detached
// supervisor imports this.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../platform/errno.js';

/**
 * Everything one attempt writes lives in its folder. Order of creation:
 * spec.json, prompt.md → intent.json → (supervisor) pid.json (claim) → heartbeat,
 * stdout.log, stderr.log → pid.json (with the worker) → out/completion.json (worker) →
 * exit.json. kill.json is written by whoever decides to end the attempt, before signalling.
 */
export const ATTEMPT_FILES = {
  spec: 'spec.json',
  prompt: 'prompt.md',
  intent: 'intent.json',
  recovered: 'spawn-recovered.jsonl',
  supervisorLog: 'supervisor.log',
  pid: 'pid.json',
  heartbeat: 'heartbeat',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  /** The worker's output folder: the only part of the attempt folder a sandboxed worker sees (and may write). */
  out: 'out',
  completion: 'out/completion.json',
  exit: 'exit.json',
  kill: 'kill.json',
} as const;

export type AttemptPaths = { readonly [K in keyof typeof ATTEMPT_FILES]: string } & { readonly dir: string };

/** Absolute paths of an attempt folder's files. */
export function attemptPaths(attemptDir: string): AttemptPaths {
  const entries = Object.entries(ATTEMPT_FILES).map(([key, name]) => [key, join(attemptDir, name)] as const);
  return { dir: attemptDir, ...(Object.fromEntries(entries) as { [K in keyof typeof ATTEMPT_FILES]: string }) };
}

/**
 * The worker's environment reaches the supervisor as its own environment,
 * each name behind this prefix, so values are never written to disk and
 * variables such as NODE_OPTIONS meant for the worker do not change the
 * supervisor's own Node.
 */
export const WORKER_ENV_PREFIX = 'BURAN_WORKER_ENV_';

/** What the supervisor runs. Environment values are not stored (see WORKER_ENV_PREFIX). */
export interface SupervisorSpec {
  readonly schema: 'buran.supervisor-spec/v1';
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Names of the variables passed on to the worker (values: the supervisor's WORKER_ENV_PREFIX + name). */
  readonly envNames: readonly string[];
  /** Backstop wall-clock bound (ms) the supervisor enforces itself, in case no runner is watching. */
  readonly timeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** SIGTERM → SIGKILL grace (ms) of the supervisor's own backstop kill. */
  readonly graceMs: number;
  /** A file the worker reads as stdin (agent CLIs read their prompt there); absent: /dev/null. */
  readonly stdinFile?: string;
}

/**
 * pid.json. Created exclusively by the supervisor before it starts the worker
 * (workerPid null), then replaced once the worker runs. Start times are
 * /proc/<pid>/stat field 22 (clock ticks since boot): a pid whose start time
 * differs is another process.
 */
export interface PidRecord {
  readonly supervisorPid: number;
  readonly supervisorStartTime: number;
  /** Process group of the supervisor and the worker (the supervisor leads it). */
  readonly pgid: number;
  readonly workerPid: number | null;
  readonly workerStartTime: number | null;
  /** Epoch ms the supervisor claimed the attempt. */
  readonly claimedAt: number;
  /** Epoch ms the worker was spawned; null until then. */
  readonly startedAt: number | null;
}

/** exit.json, written by the supervisor after the worker ended (or could not be spawned). */
export interface ExitRecord {
  readonly code: number | null;
  readonly signal: string | null;
  readonly endedAt: number;
  /** Why the worker could not be spawned (e.g. ENOENT); null when it ran. */
  readonly error: string | null;
}

/**
 * `wall` / `heartbeat`: timed out. `cancel`: ended on request. `settle`: the
 * worker wrote its completion but did not exit. `orphan`: the supervisor died
 * and the worker was left running unrecorded.
 */
export type KillReason = 'wall' | 'heartbeat' | 'cancel' | 'settle' | 'orphan';

/** kill.json: why the attempt's process group was ended; written once, before the first signal. */
export interface KillRecord {
  readonly reason: KillReason;
  readonly requestedAt: number;
  readonly by: 'runner' | 'supervisor';
}

/** The text of a file, or null when it does not exist. */
export function readTextIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}
