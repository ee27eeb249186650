// The supervisor: a small detached process that owns one attempt's worker.
// It claims the attempt folder, spawns the worker (no shell) in its own
// process group, keeps a heartbeat, and records the exit status, so the
// outcome survives the runner dying. Node builtins only.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createFileDurableSync, writeFileDurableSync } from '../platform/durableWrite.js';
import { errnoCode } from '../platform/errno.js';
import { jsonObjectOf } from './supervisorAssignment.js';
import {
  type ExitRecord,
  type KillRecord,
  type PidRecord,
  type SupervisorSpec,
  WORKER_ENV_PREFIX,
  attemptPaths,
} from './attemptFiles.js';
import { groupMembers, readProcStat, signalGroup, signalProcess } from '../platform/process.js';

/** Exit codes of the supervisor process. */
export const SUPERVISOR_EXIT = {
  /** The worker ran (or could not be spawned) and exit.json was written. */
  recorded: 0,
  failed: 1,
  usage: 2,
  /** Another supervisor had already claimed the attempt folder; nothing was started. */
  claimed: 3,
  /** A warm supervisor whose runner closed its pipe before giving it an attempt; nothing was claimed. */
  unassigned: 4,
} as const;

/** Longest delay setTimeout accepts (ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The argv that starts the supervisor with the current Node: the compiled
 * `supervisor-main.js` beside this module when it exists, otherwise the
 * TypeScript source through tsx (tests and `tsx` runs). The tsx loader is
 * passed as an absolute URL because the supervisor does not run in this
 * package's folder.
 */
export function supervisorCommand(): string[] {
  const dir = dirname(fileURLToPath(import.meta.url));
  const compiled = join(dir, 'supervisor-main.js');
  if (existsSync(compiled)) return [process.execPath, compiled];
  const loader = createRequire(import.meta.url).resolve('tsx');
  return [process.execPath, '--import', pathToFileURL(loader).href, join(dir, 'supervisor-main.ts')];
}

/**
 * Run the supervisor for `attemptDir` with the spec at `specPath`. Resolves
 * the process exit code; exit.json is written before it resolves. The worker's
 * environment comes from `workerEnv` (a warm supervisor's assignment), else
 * from this process's WORKER_ENV_PREFIX variables.
 */
export async function runSupervisor(attemptDir: string, specPath: string, workerEnv?: Readonly<Record<string, string>>): Promise<number> {
  const spec = parseSpec(readFileSync(specPath, 'utf8'));
  if (typeof spec === 'string') {
    log(`bad spec ${specPath}: ${spec}`);
    return SUPERVISOR_EXIT.usage;
  }
  const paths = attemptPaths(attemptDir);
  const self = readProcStat(process.pid);
  if (self === null) {
    log('cannot read /proc/self/stat');
    return SUPERVISOR_EXIT.failed;
  }
  // Group kills target this process's group: in anyone else's group they would hit bystanders.
  if (self.pgrp !== process.pid) {
    log(`must lead its own process group (start it detached); its group is ${self.pgrp}`);
    return SUPERVISOR_EXIT.usage;
  }
  // The runner and the kill rules signal the whole group; the supervisor
  // outlives a SIGTERM so it can still record how the worker ended.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => log(`received ${signal}; waiting for the worker`));

  const claim: PidRecord = {
    supervisorPid: process.pid,
    supervisorStartTime: self.startTime,
    pgid: self.pgrp,
    workerPid: null,
    workerStartTime: null,
    claimedAt: Date.now(),
    startedAt: null,
  };
  // The claim is exclusive and comes before the worker exists: a second
  // supervisor for the same folder stops here, and a folder without pid.json
  // never had a worker.
  if (!createFileDurableSync(paths.pid, json(claim))) {
    log('attempt already claimed by another supervisor; not starting a worker');
    return SUPERVISOR_EXIT.claimed;
  }
  touch(paths.heartbeat);
  // The worker's output folder (where its completion goes) exists before it starts.
  mkdirSync(paths.out, { recursive: true });

  const env: Record<string, string> = {};
  for (const name of spec.envNames) {
    const value = workerEnv === undefined ? process.env[WORKER_ENV_PREFIX + name] : workerEnv[name];
    if (value !== undefined) env[name] = value;
  }
  const out = openSync(paths.stdout, 'a');
  const err = openSync(paths.stderr, 'a');
  const [file, ...args] = spec.argv as [string, ...string[]];
  const startedAt = Date.now();
  let input: number | 'ignore' = 'ignore';
  let child: ChildProcess;
  try {
    if (spec.stdinFile !== undefined) input = openSync(spec.stdinFile, 'r');
    child = spawn(file, args, { cwd: spec.cwd, env, stdio: [input, out, err], shell: false, detached: false });
  } catch (error) {
    writeFileDurableSync(paths.exit, json({ code: null, signal: null, endedAt: Date.now(), error: (error as Error).message } satisfies ExitRecord));
    return SUPERVISOR_EXIT.recorded;
  } finally {
    closeSync(out);
    closeSync(err);
    if (typeof input === 'number') closeSync(input);
  }

  return new Promise<number>((resolve) => {
    let ended = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (record: ExitRecord): void => {
      if (ended) return;
      ended = true;
      for (const timer of timers) clearTimeout(timer);
      writeFileDurableSync(paths.exit, json(record));
      resolve(SUPERVISOR_EXIT.recorded);
    };
    child.once('error', (error) => finish({ code: null, signal: null, endedAt: Date.now(), error: error.message }));
    child.once('exit', (code, signal) => finish({ code, signal, endedAt: Date.now(), error: null }));

    if (child.pid !== undefined) {
      // The child is ours and unreaped until this turn ends, so its stat is readable.
      const worker = readProcStat(child.pid);
      writeFileDurableSync(paths.pid, json({ ...claim, workerPid: child.pid, workerStartTime: worker?.startTime ?? null, startedAt }));
    }
    timers.push(setInterval(() => touch(paths.heartbeat), spec.heartbeatIntervalMs));
    timers.push(setTimeout(() => backstopKill(paths.kill, self.pgrp, spec.graceMs, timers), Math.min(spec.timeoutMs, MAX_TIMER_MS)));
  });
}

/** The supervisor's own wall-clock bound: end the group but itself, so it can still write exit.json. */
function backstopKill(killFile: string, pgid: number, graceMs: number, timers: NodeJS.Timeout[]): void {
  const record: KillRecord = { reason: 'wall', requestedAt: Date.now(), by: 'supervisor' };
  createFileDurableSync(killFile, json(record));
  log('wall-clock backstop reached; ending the worker group');
  signalGroup(pgid, 'SIGTERM');
  signalGroup(pgid, 'SIGCONT');
  timers.push(
    setTimeout(() => {
      for (const pid of groupMembers(pgid)) if (pid !== process.pid) signalProcess(pid, 'SIGKILL');
    }, graceMs),
  );
}

/** Refresh the heartbeat. A failed tick is logged, not fatal: the worker matters more, and a stale heartbeat is reported by the runner. */
function touch(file: string): void {
  const now = new Date();
  try {
    utimesSync(file, now, now);
  } catch (error) {
    try {
      if (errnoCode(error) !== 'ENOENT') throw error;
      writeFileSync(file, '');
    } catch (again) {
      log(`heartbeat ${file}: ${(again as Error).message}`);
    }
  }
}

function parseSpec(text: string): SupervisorSpec | string {
  const spec = jsonObjectOf(text);
  if (typeof spec === 'string') return spec;
  const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
  const positive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;
  if (spec['schema'] !== 'buran.supervisor-spec/v1') return 'schema must be "buran.supervisor-spec/v1"';
  if (!strings(spec['argv']) || spec['argv'].length === 0) return 'argv must be a non-empty array of strings';
  if (typeof spec['cwd'] !== 'string') return 'cwd must be a string';
  if (!strings(spec['envNames'])) return 'envNames must be an array of strings';
  if (!positive(spec['timeoutMs']) || !positive(spec['heartbeatIntervalMs']) || !positive(spec['graceMs'])) {
    return 'timeoutMs, heartbeatIntervalMs and graceMs must be positive numbers';
  }
  if (spec['stdinFile'] !== undefined && typeof spec['stdinFile'] !== 'string') return 'stdinFile must be a string when present';
  return spec as unknown as SupervisorSpec;
}

function json(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** Where log lines go: stderr (the runner points it at supervisor.log), or a file descriptor set by logTo. */
let logFd = 2;

/** Send the supervisor's log to `fd` from now on (a warm supervisor opens its attempt's supervisor.log itself). */
export function logTo(fd: number): void {
  logFd = fd;
}

/** One line in the supervisor's log. */
export function log(message: string): void {
  try {
    writeSync(logFd, `${new Date().toISOString()} supervisor ${process.pid}: ${message}\n`);
  } catch {
    // Nowhere left to say it: the exit records still tell the runner how the attempt ended.
  }
}
