import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { type ChildProcess, spawn } from 'node:child_process';
import type { CommandEvidence } from '../domain/gates.js';
import { signalGroup } from '../platform/process.js';
import { OutputTail } from './outputTail.js';

export interface RunCommandOptions {
  readonly cwd: string;
  /** The whole environment the command sees (already allowlisted). */
  readonly env: Readonly<Record<string, string>>;
  /** Wall-clock bound, milliseconds. */
  readonly timeoutMs: number;
  /** Time between SIGTERM and SIGKILL of the process group, milliseconds. Default 2 000. */
  readonly graceMs?: number;
  /** Bytes kept of stdout and of stderr, each. Default 8 KiB. */
  readonly tailBytes?: number;
  /** The argv actually started when it differs from the one recorded (the command under a sandbox). Default: argv. */
  readonly launch?: readonly string[];
}

export const DEFAULT_TAIL_BYTES = 8 * 1024;

/** Picks the allowlisted variables from `source`; everything else stays out of the child. */
export function allowlistedEnv(allowlist: readonly string[], source: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of allowlist) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Runs one argv without a shell in its own process group, keeping only the
 * tails of its output. On timeout the whole group gets SIGTERM, then SIGKILL
 * after the grace period (a plain timeout would signal only the leader and
 * leave its children running). Whatever is left of the group when the command
 * ends is killed too. Never throws for the command's own failures.
 */
export async function runCommand(argv: readonly string[], options: RunCommandOptions): Promise<CommandEvidence> {
  const [file, ...args] = options.launch ?? argv;
  const tailBytes = options.tailBytes ?? DEFAULT_TAIL_BYTES;
  const graceMs = options.graceMs ?? 2_000;
  const stdout = new OutputTail(tailBytes);
  const stderr = new OutputTail(tailBytes);
  const started = performance.now();
  if (file === undefined || file === '') {
    return { argv: [...argv], exitCode: null, timedOut: false, durationMs: 0, stdoutTail: '', stderrTail: '', error: 'empty command' };
  }

  let child: ChildProcess;
  try {
    // Its own process group (detached), so a timeout or the end can reach everything it started.
    child = spawn(file, args, { cwd: options.cwd, env: { ...options.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  } catch (error) {
    return { argv: [...argv], exitCode: null, timedOut: false, durationMs: 0, stdoutTail: '', stderrTail: '', error: `could not start: ${startFailure(error)}` };
  }
  const streams: (Readable | null)[] = [child.stdout, child.stderr];
  child.stdout?.on('data', (chunk: Uint8Array) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Uint8Array) => stderr.push(chunk));
  let startError: unknown = null;
  child.on('error', (error) => (startError ??= error));
  // 'close': the process ended and its output streams are drained (or destroyed after a timeout).
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));

  const pid = child.pid;
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  if (pid !== undefined) {
    timers.push(
      setTimeout(() => {
        timedOut = true;
        signalGroup(pid, 'SIGTERM');
        timers.push(
          setTimeout(() => {
            signalGroup(pid, 'SIGKILL');
            // A descendant that left the group could still hold the pipes open: stop waiting for them.
            timers.push(setTimeout(() => streams.forEach((stream) => stream?.destroy()), 1_000));
          }, graceMs),
        );
      }, options.timeoutMs),
    );
  }

  const result = await ended;
  timers.forEach(clearTimeout);
  if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
  const exitCode = startError === null ? result.code : null;
  const evidence = { argv: [...argv], exitCode, timedOut, durationMs, stdoutTail: stdout.text(), stderrTail: stderr.text() };
  if (timedOut) return { ...evidence, error: `timed out after ${options.timeoutMs} ms; process group ended` };
  if (pid === undefined || startError !== null || (exitCode === null && result.signal === null)) {
    return { ...evidence, error: `could not start: ${startFailure(startError)}` };
  }
  if (exitCode === null) return { ...evidence, error: `killed by ${result.signal ?? 'a signal'}` };
  return evidence;
}

/** Why a command could not start: its errno code (ENOENT, EACCES) when there is one. */
function startFailure(error: unknown): string {
  if (error === null || error === undefined) return 'unknown error';
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : JSON.stringify(error);
}
