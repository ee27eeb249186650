// Waiting for one attempt to end, from its folder alone: works the same for
// the runner that started it and for a runner that restarted and re-attached.
import { type FSWatcher, watch } from 'node:fs';
import type { WorkerEnd } from '../../machines/task.types.js';
import type { ExpectedAttempt } from '../domain/completion.js';
import { statSync } from 'node:fs';
import type { AttemptOutput, DeriveOutcome } from './adapter.js';
import { DEFAULT_GRACE_MS, DEFAULT_HEARTBEAT_INTERVAL_MS, heartbeatAge } from './attempt.js';
import { killAttempt } from './killAttempt.js';
import { errnoCode } from '../platform/errno.js';
import { type AttemptPaths, type KillReason, attemptPaths } from './attemptFiles.js';
import { readExitRecord, readKillRecord, readPidRecord, readSupervisorSpec } from './attemptRecords.js';
import { sha256 } from '../domain/hash.js';
import { type ExitInfo, defaultDeriveOutcome, readCompletionFile } from './completionFile.js';
import { isProcessAlive } from '../platform/process.js';
import { tail } from './tail.js';

export const DEFAULT_POLL_MS = 200;
/** After a completion appears, how long the worker may take to exit on its own before its group is ended (ms). */
export const DEFAULT_SETTLE_MS = 2_000;
/** Bytes of stdout an adapter's derivation sees: agent CLIs print their result last. */
export const RESULT_TAIL_BYTES = 1024 * 1024;

export interface WaitOptions {
  /** The attempt the completion must name. */
  readonly expected: ExpectedAttempt;
  /** The adapter's derivation; default: a completion file is required. */
  readonly deriveOutcome?: DeriveOutcome;
  /** A completion file does not end the attempt while the worker runs: wait for its exit (agent CLIs). */
  readonly awaitExit?: boolean;
  /** Wall-clock deadline (epoch ms, from `now`); null for none. */
  readonly deadlineAt: number | null;
  /** A heartbeat older than this (ms) times the attempt out. */
  readonly heartbeatTimeoutMs: number;
  /** Wall clock (epoch ms); default Date.now. It is compared with file mtimes and the supervisor's timestamps, so it must be the real clock outside tests of pure logic. */
  readonly now?: () => number;
  /** Fallback polling interval (ms); file events wake the wait sooner. */
  readonly pollMs?: number;
  /** SIGTERM → SIGKILL grace when ending the group (ms). */
  readonly graceMs?: number;
  readonly settleMs?: number;
  /** Use fs.watch to notice files sooner (default true). Turn off where file events are unreliable (network filesystems); polling alone then bounds latency by pollMs. */
  readonly watch?: boolean;
  /** Stops waiting (rejects with the signal's reason). The worker keeps running: this is not a cancel. */
  readonly signal?: AbortSignal;
}

/**
 * Resolve how an attempt ended. Checked on every file event in the folder and
 * every `pollMs`, in this order:
 * 1. kill.json for a timeout or cancel → that outcome (the group is ended if still alive);
 * 2. a completion file that parses → the adapter's derivation (a still-running
 *    worker gets `settleMs` to exit, then its group is ended);
 * 3. exit.json → the adapter's derivation from the exit status;
 * 4. supervisor gone without exit.json → end what is left of its group, then the
 *    derivation with no exit (`missing`);
 * 5. wall deadline passed, or heartbeat stale (and still stale two heartbeat
 *    intervals later, see Staleness) → end the group, `timeout`.
 * Safe to call again after a restart: the answer comes from the folder.
 *
 * @example
 * const outcome = await waitForOutcome(attemptDir, { expected, deadlineAt, heartbeatTimeoutMs: 60_000 });
 */
export async function waitForOutcome(attemptDir: string, options: WaitOptions): Promise<WorkerEnd> {
  const paths = attemptPaths(attemptDir);
  const wake = new Wakeup(options.watch === false ? null : paths.dir);
  const interval = readSupervisorSpec(paths.spec)?.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const staleness = new Staleness(2 * interval, Math.max(2_000, 5 * (options.pollMs ?? DEFAULT_POLL_MS)));
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const outcome = await step(paths, options, staleness, wake);
      if (outcome !== null) return outcome;
      await wake.next(options.pollMs ?? DEFAULT_POLL_MS, options.signal);
    }
  } finally {
    wake.close();
  }
}

async function step(paths: AttemptPaths, options: WaitOptions, staleness: Staleness, wake: Wakeup): Promise<WorkerEnd | null> {
  const deriveWith = options.deriveOutcome ?? defaultDeriveOutcome;
  const derive: (exit: ExitInfo | null, completion: ReturnType<typeof readCompletionFile>) => WorkerEnd = (exit, completion) =>
    deriveWith(exit, completion, attemptOutput(paths));
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const end = (reason: KillReason) => killAttempt(paths.dir, { reason, graceMs, now });

  const kill = readKillRecord(paths.kill);
  if (kill !== null && (kill.reason === 'wall' || kill.reason === 'heartbeat' || kill.reason === 'cancel')) {
    // The decision was recorded before the first signal; finish the kill if a restart interrupted it.
    await end(kill.reason);
    return kill.reason === 'cancel' ? { kind: 'missing', reason: 'attempt was cancelled' } : { kind: 'timeout', reason: kill.reason };
  }
  const pid = readPidRecord(paths.pid);
  if (pid === null) return { kind: 'missing', reason: 'attempt was never started (no pid.json)' };

  // exit.json is read before the completion: whatever the worker wrote before it exited is then visible.
  let exit = exitInfo(paths);
  let completion = readCompletionFile(paths.completion, options.expected);
  const alive = () => isProcessAlive(pid.supervisorPid, pid.supervisorStartTime);
  const fileDecides = options.awaitExit !== true && (completion.state === 'valid' || (completion.state === 'invalid' && completion.parsed));
  if (completion.state !== 'absent' && (exit !== null || fileDecides || !alive())) {
    if (exit === null) {
      if (alive()) {
        // The worker answered but is still running: give it settleMs, then end the group before anyone inspects the workspace.
        const deadline = Date.now() + (options.settleMs ?? DEFAULT_SETTLE_MS);
        // The supervisor's exit record is a file event in the folder: woken by it, else every 25 ms.
        while (exitInfo(paths) === null && alive() && Date.now() < deadline) await wake.next(25, options.signal);
        if (exitInfo(paths) === null && alive()) await end('settle');
      } else if (exitInfo(paths) === null) {
        await end('orphan');
      }
      exit = exitInfo(paths);
      completion = readCompletionFile(paths.completion, options.expected);
    }
    return derive(exit, completion);
  }
  if (exit !== null) return derive(exit, completion);
  if (!alive()) {
    exit = exitInfo(paths);
    // No one records a worker that outlived its supervisor, and the next attempt shares its workspace: end it.
    if (exit === null) await end('orphan');
    return derive(exit, readCompletionFile(paths.completion, options.expected));
  }
  if (options.deadlineAt !== null && now() >= options.deadlineAt) {
    await end('wall');
    return { kind: 'timeout', reason: 'wall' };
  }
  const age = heartbeatAge(paths, now) ?? Math.max(0, now() - pid.claimedAt);
  if (staleness.confirmed(age > options.heartbeatTimeoutMs)) {
    await end('heartbeat');
    return { kind: 'timeout', reason: 'heartbeat' };
  }
  return null;
}

/** What the worker printed, read only once its outcome is being decided. */
export function attemptOutput(paths: AttemptPaths): AttemptOutput {
  let size = 0;
  try {
    size = statSync(paths.stdout).size;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error; // no stdout.log: the worker printed nothing
  }
  return { stdoutTail: tail(paths.stdout, RESULT_TAIL_BYTES), stdoutTruncated: size > RESULT_TAIL_BYTES, argv: readSupervisorSpec(paths.spec)?.argv ?? null };
}

/** The exit record of a finished attempt with the digest of its exact bytes; null while none was written. */
export function exitInfo(paths: AttemptPaths): ExitInfo | null {
  const exit = readExitRecord(paths.exit);
  return exit === null ? null : { record: exit.record, digest: sha256(exit.text) };
}

/**
 * A stale heartbeat counts only once it stays stale for `confirmMs` of
 * uninterrupted watching (real time). After a laptop sleep the runner may look
 * before the supervisor has had its first tick; a gap longer than `gapMs`
 * between two looks means this process was suspended, and staleness is
 * measured afresh.
 */
class Staleness {
  private since: number | null = null;
  private lastLook = Date.now();

  constructor(
    private readonly confirmMs: number,
    private readonly gapMs: number,
  ) {}

  confirmed(stale: boolean): boolean {
    const now = Date.now();
    const suspended = now - this.lastLook > this.gapMs;
    this.lastLook = now;
    if (!stale || suspended) {
      this.since = stale ? now : null;
      return false;
    }
    this.since ??= now;
    return now - this.since >= this.confirmMs;
  }
}

/** Resolves on the next file event in a folder, after `ms`, or rejects on abort. Polling alone when watching fails. */
class Wakeup {
  private watcher: FSWatcher | null = null;
  private pending = false;
  private wakeNow: (() => void) | null = null;

  constructor(dir: string | null) {
    if (dir === null) return;
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.fire());
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = null; // e.g. inotify limits: polling still bounds latency by pollMs
    }
  }

  private fire(): void {
    if (this.wakeNow === null) this.pending = true;
    else this.wakeNow();
  }

  next(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wakeNow = null;
        resolve();
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.wakeNow = null;
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(done, ms);
      this.wakeNow = done;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}
