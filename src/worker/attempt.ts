// One attempt's process handle: start it once (intent before spawn, re-attach
// after a restart) and read where it stands. Ending it: killAttempt.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CrashPoint } from '../chaos/crashPoints.js';
import type { ExpectedAttempt } from '../domain/completion.js';
import { BuranError } from '../domain/errors.js';
import { sha256 } from '../domain/hash.js';
import type { Invocation } from './adapter.js';
import { appendFileDurableSync, writeFileDurable } from '../platform/durableWrite.js';
import { errnoCode } from '../platform/errno.js';
import {
  type AttemptPaths,
  type ExitRecord,
  type KillRecord,
  type PidRecord,
  type SupervisorSpec,
  WORKER_ENV_PREFIX,
  attemptPaths,
} from './attemptFiles.js';
import { type IntentRecord, readExitRecord, readIntentRecord, readKillRecord, readPidRecord } from './attemptRecords.js';
import { isProcessAlive, procAvailable, signalProcess } from '../platform/process.js';
import { SUPERVISOR_EXIT, supervisorCommand } from './supervisor.js';
import type { SupervisorPool } from './supervisorPool.js';
import { tail } from './tail.js';

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
export const DEFAULT_GRACE_MS = 2_000;
export const DEFAULT_START_TIMEOUT_MS = 15_000;

export interface StartAttemptSpec {
  readonly attemptDir: string;
  readonly invocation: Invocation;
  /** The supervisor's own wall-clock backstop (ms from the worker's start); the runner's deadline should come first. */
  readonly timeoutMs: number;
  readonly heartbeatIntervalMs?: number;
  /** SIGTERM → SIGKILL grace of the supervisor's backstop kill (ms). */
  readonly graceMs?: number;
  /** How long to wait for the supervisor to claim the folder and start the worker (ms). */
  readonly startTimeoutMs?: number;
  /** Written to prompt.md before the intent, when given. */
  readonly prompt?: string;
  /** Recorded in intent.json for people and recovery. */
  readonly attempt?: ExpectedAttempt;
  /** argv that starts the supervisor; default supervisorCommand(). */
  readonly supervisor?: readonly string[];
  /** Supervisors started ahead (used unless `supervisor` is given); a cold one starts when none is ready. */
  readonly pool?: SupervisorPool;
  readonly now?: () => number;
  /** Crash points (src/chaos) around the dispatch intent; omit in production. */
  readonly crash?: CrashPoint;
}

export interface StartedAttempt {
  /** Epoch ms the worker was spawned (or the folder claimed, when the worker never started). */
  readonly startedAt: number;
  /** The worker's pid; null when it could not be spawned. */
  readonly pid: number | null;
  readonly supervisorPid: number;
  /**
   * `spawned`: started now. `recovered`: an intent without pid.json was found
   * (a runner died between intent and spawn) and the attempt was started now.
   * `reattached`: its supervisor is alive. `ended`: it already ended (exit.json,
   * or a dead supervisor); waitForOutcome says how.
   */
  readonly how: 'spawned' | 'recovered' | 'reattached' | 'ended';
}

/**
 * Start an attempt's worker under a detached supervisor, at most once per
 * attempt folder. Idempotent: called again (same process or after a restart)
 * it re-attaches to what the folder records and never starts a second worker.
 *
 * Order: spec.json and prompt.md, then intent.json (fsync), then the
 * supervisor, which claims pid.json exclusively before it starts the worker.
 * A folder with an intent but no pid.json therefore never had a worker, so
 * starting one then is safe; two supervisors racing for one folder cannot
 * both claim it.
 *
 * @example
 * const started = await startAttempt({ attemptDir, invocation, timeoutMs: 30 * 60_000, prompt });
 */
export async function startAttempt(spec: StartAttemptSpec): Promise<StartedAttempt> {
  if (!procAvailable()) {
    throw new BuranError({ code: 'internal', message: 'the worker supervisor needs a process table (Linux /proc, or ps elsewhere) for pid start times and process groups, and this system has neither' });
  }
  const now = spec.now ?? Date.now;
  const startTimeoutMs = spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const paths = attemptPaths(spec.attemptDir);
  mkdirSync(paths.out, { recursive: true });

  const existing = await reattachAttempt(paths.dir, startTimeoutMs);
  if (existing !== null) return existing;

  const supervisorSpec: SupervisorSpec = {
    schema: 'buran.supervisor-spec/v1',
    argv: spec.invocation.argv,
    cwd: spec.invocation.cwd,
    envNames: Object.keys(spec.invocation.env).sort(),
    timeoutMs: spec.timeoutMs,
    heartbeatIntervalMs: spec.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    graceMs: spec.graceMs ?? DEFAULT_GRACE_MS,
    ...(spec.invocation.stdinFile === undefined ? {} : { stdinFile: spec.invocation.stdinFile }),
  };
  const specText = json(supervisorSpec);
  const intent = readIntentRecord(paths.intent);
  // Off the event loop (the other tasks' steps go on meanwhile); both are on disk before the intent.
  await Promise.all([spec.prompt === undefined ? null : writeFileDurable(paths.prompt, spec.prompt), writeFileDurable(paths.spec, specText)]);
  let how: 'spawned' | 'recovered' = 'spawned';
  if (intent === null) {
    const record: IntentRecord = { schema: 'buran.attempt-intent/v1', writtenAt: now(), specDigest: sha256(specText), attempt: spec.attempt ?? null };
    spec.crash?.('dispatch.before-intent');
    await writeFileDurable(paths.intent, json(record));
    spec.crash?.('dispatch.after-intent');
  } else {
    // A runner recorded the intent and died before any supervisor claimed the
    // folder: no worker ever ran for it. If its supervisor is still starting,
    // the exclusive claim lets only one of the two start a worker.
    how = 'recovered';
    appendFileDurableSync(paths.recovered, json({ at: now(), intentWrittenAt: intent.writtenAt, sameSpec: intent.specDigest === sha256(specText) }));
  }
  const cold = () => waitForClaim(paths, spawnSupervisor(paths, spec.supervisor ?? supervisorCommand(), spec.invocation.env), startTimeoutMs, how, null);
  const warm = spec.supervisor === undefined ? (spec.pool?.take() ?? null) : null;
  // A warm supervisor that ended before it claimed the folder never started a worker: a cold one may.
  if (warm?.assign({ attemptDir: paths.dir, specFile: paths.spec, env: spec.invocation.env }) === true) return waitForClaim(paths, warm.child, startTimeoutMs, how, cold);
  return cold();
}

/**
 * The start of an attempt whose supervisor already claimed its folder
 * (running, or ended), or null when no supervisor ever did. Never spawns.
 */
export async function reattachAttempt(attemptDir: string, startTimeoutMs = DEFAULT_START_TIMEOUT_MS): Promise<StartedAttempt | null> {
  const paths = attemptPaths(attemptDir);
  const existing = readPidRecord(paths.pid);
  return existing === null ? null : settleStart(paths, existing, null, startTimeoutMs, 'reattached');
}

function spawnSupervisor(paths: AttemptPaths, command: readonly string[], env: Readonly<Record<string, string>>): ChildProcess {
  const [file, ...args] = command;
  if (file === undefined) throw new Error('startAttempt: the supervisor command is empty');
  // Files, not pipes: the supervisor must outlive this process (see docs/adapters.md).
  const log = openSync(paths.supervisorLog, 'a');
  try {
    const child = spawn(file, [...args, paths.dir, paths.spec], {
      cwd: paths.dir,
      env: Object.fromEntries(Object.entries(env).map(([name, value]) => [WORKER_ENV_PREFIX + name, value])),
      detached: true,
      stdio: ['ignore', log, log],
      shell: false,
    });
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

/**
 * Wait until pid.json names the worker (or the attempt already ended), or fail with the supervisor's log;
 * `unclaimed`, when given, is the start to try instead when the supervisor ended without claiming the folder.
 */
async function waitForClaim(
  paths: AttemptPaths,
  child: ChildProcess,
  timeoutMs: number,
  how: 'spawned' | 'recovered',
  unclaimed: (() => Promise<StartedAttempt>) | null,
): Promise<StartedAttempt> {
  // A warm supervisor may have ended before these listeners were attached.
  const exited = child.exitCode !== null || child.signalCode !== null;
  const spawned: { ended: { code: number | null; error: string | null } | null } = { ended: exited ? { code: child.exitCode, error: null } : null };
  child.once('error', (error) => (spawned.ended = { code: null, error: error.message }));
  child.once('exit', (code) => (spawned.ended ??= { code, error: null }));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = readPidRecord(paths.pid);
    if (pid !== null) return settleStart(paths, pid, child, Math.max(0, deadline - Date.now()), how);
    const ended = spawned.ended;
    if (ended !== null && ended.code !== SUPERVISOR_EXIT.claimed) {
      // Re-read: the supervisor may have claimed and then failed.
      if (readPidRecord(paths.pid) === null && unclaimed !== null) return unclaimed();
      if (readPidRecord(paths.pid) === null) throw supervisorFailed(paths, `the supervisor ended (${ended.error ?? `exit ${ended.code}`}) before claiming the attempt`);
      continue;
    }
    if (Date.now() > deadline) {
      if (child.pid !== undefined && spawned.ended === null) signalProcess(child.pid, 'SIGKILL');
      if (readPidRecord(paths.pid) === null) throw supervisorFailed(paths, `the supervisor did not claim the attempt within ${timeoutMs} ms`);
      continue;
    }
    await sleep(10);
  }
}

/** From a claim, wait (bounded) until the worker is recorded or the attempt ended, then describe the start. */
async function settleStart(
  paths: AttemptPaths,
  first: PidRecord,
  child: ChildProcess | null,
  timeoutMs: number,
  how: StartedAttempt['how'],
): Promise<StartedAttempt> {
  const deadline = Date.now() + timeoutMs;
  let pid = first;
  for (;;) {
    // pid.json is replaced once the worker runs; exit.json comes after that.
    pid = readPidRecord(paths.pid) ?? pid;
    const result = (h: StartedAttempt['how']): StartedAttempt => ({ startedAt: pid.startedAt ?? pid.claimedAt, pid: pid.workerPid, supervisorPid: pid.supervisorPid, how: h });
    if (readExitRecord(paths.exit) !== null) return result(how === 'reattached' ? 'ended' : how);
    const alive = isProcessAlive(pid.supervisorPid, pid.supervisorStartTime);
    if (!alive) {
      // Dead without exit.json: maybe it wrote exit.json just before dying.
      if (readExitRecord(paths.exit) !== null) return result(how === 'reattached' ? 'ended' : how);
      return result('ended');
    }
    // A supervisor other than ours won the claim: that is a re-attach.
    const h = how !== 'reattached' && child?.pid !== pid.supervisorPid ? 'reattached' : how;
    if (pid.workerPid !== null || Date.now() > deadline) return result(h);
    await sleep(10);
  }
}

function supervisorFailed(paths: AttemptPaths, message: string): BuranError {
  return new BuranError({
    code: 'internal',
    message: `could not start the worker supervisor: ${message}`,
    details: { attemptDir: paths.dir, supervisorLog: tail(paths.supervisorLog, 4096) },
  });
}

export interface AttemptStatus {
  readonly state: 'not-started' | 'running' | 'exited' | 'dead';
  /** The worker's pid, once recorded. */
  readonly pid: number | null;
  readonly supervisorPid: number | null;
  /** Age of the supervisor's heartbeat (ms); null before the first one. */
  readonly heartbeatAgeMs: number | null;
  readonly exit: ExitRecord | null;
  readonly kill: KillRecord | null;
}

/** Where an attempt stands, from its folder and /proc. `dead`: the supervisor is gone without an exit record. */
export function attemptStatus(attemptDir: string, now: () => number = Date.now): AttemptStatus {
  const paths = attemptPaths(attemptDir);
  const pid = readPidRecord(paths.pid);
  const exit = readExitRecord(paths.exit)?.record ?? null;
  const kill = readKillRecord(paths.kill);
  const heartbeatAgeMs = heartbeatAge(paths, now);
  const base = { pid: pid?.workerPid ?? null, supervisorPid: pid?.supervisorPid ?? null, heartbeatAgeMs, exit, kill };
  if (pid === null) return { state: 'not-started', ...base };
  if (exit !== null) return { state: 'exited', ...base };
  if (isProcessAlive(pid.supervisorPid, pid.supervisorStartTime)) return { state: 'running', ...base };
  // It may have written exit.json between the two reads.
  const late = readExitRecord(paths.exit)?.record ?? null;
  return late === null ? { state: 'dead', ...base } : { state: 'exited', ...base, exit: late };
}

/** Age (ms) of the heartbeat file by its mtime; null when there is none. */
export function heartbeatAge(paths: AttemptPaths, now: () => number): number | null {
  try {
    return Math.max(0, now() - statSync(paths.heartbeat).mtimeMs);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
