import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
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

  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: { ...options.env },
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  const streams: (Readable | null)[] = [subprocess.stdout, subprocess.stderr];
  subprocess.stdout?.on('data', (chunk: Uint8Array) => stdout.push(chunk));
  subprocess.stderr?.on('data', (chunk: Uint8Array) => stderr.push(chunk));

  const pid = subprocess.pid;
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

  const result = await subprocess;
  timers.forEach(clearTimeout);
  if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
  const exitCode = result.exitCode ?? null;
  const evidence = { argv: [...argv], exitCode, timedOut, durationMs, stdoutTail: stdout.text(), stderrTail: stderr.text() };
  if (timedOut) return { ...evidence, error: `timed out after ${options.timeoutMs} ms; process group ended` };
  if (pid === undefined || (exitCode === null && result.signal === undefined)) {
    return { ...evidence, error: `could not start: ${result.code ?? result.originalMessage ?? result.shortMessage ?? 'unknown error'}` };
  }
  if (exitCode === null) return { ...evidence, error: `killed by ${result.signal ?? 'a signal'}` };
  return evidence;
}
