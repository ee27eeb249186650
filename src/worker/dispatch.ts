// The two worker effects of the task chart, composed from the pieces of this
// folder: `dispatchWorker` (resolve and check the adapter, write the prompt,
// start the attempt; re-attach first) and `awaitCompletion`.
import type { DispatchOutcome, WorkerEnd } from '../../machines/task.types.js';
import type { CrashPoint } from '../chaos/crashPoints.js';
import type { ExpectedAttempt } from '../domain/completion.js';
import type { Config } from '../domain/config.js';
import type { AdapterRegistry, PacketWorker } from './adapter.js';
import { reattachAttempt, startAttempt } from './attempt.js';
import { attemptPaths } from './attemptFiles.js';
import { defaultDeriveOutcome } from './completionFile.js';
import { type PromptInput, buildPrompt } from './prompt.js';
import { tail } from './tail.js';
import { confineInvocation } from './confine.js';
import type { SandboxPlan } from '../sandbox/index.js';
import type { SupervisorPool } from './supervisorPool.js';
import { type WaitOptions, waitForOutcome } from './waitForOutcome.js';

/** Bytes of stdout an adapter's parseUsage sees. */
export const USAGE_TAIL_BYTES = 64 * 1024;

export interface DispatchAttemptInput {
  readonly registry: AdapterRegistry;
  readonly config: Config;
  readonly worker: PacketWorker;
  /** The runner's environment; only allowlisted variables reach the worker. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly workspace: string;
  readonly attemptDir: string;
  /** Everything the prompt needs but the completion path, which this fills in. */
  readonly prompt: Omit<PromptInput, 'completionFile'>;
  /** The supervisor's own wall-clock backstop (ms). */
  readonly timeoutMs: number;
  readonly heartbeatIntervalMs?: number;
  readonly graceMs?: number;
  readonly now?: () => number;
  /** Crash points (src/chaos) around the dispatch; omit in production. */
  readonly crash?: CrashPoint;
  /** How the worker is confined; omit to run it unconfined. */
  readonly sandbox?: SandboxPlan;
  /** Supervisors started ahead of their attempts; omit to start each one when its attempt starts. */
  readonly pool?: SupervisorPool;
  /** Called when this call started the attempt's supervisor itself (not a re-attach): the worker runs confined by `sandbox` as given here. */
  readonly onStarted?: () => void;
}

/**
 * Start (or re-attach to) one attempt. An unknown or unavailable adapter is
 * an `unavailable` result, returned before anything is written or spawned;
 * an attempt that already started is re-attached even if its adapter has
 * since become unavailable.
 */
export async function dispatchAttempt(input: DispatchAttemptInput): Promise<DispatchOutcome> {
  const existing = await reattachAttempt(input.attemptDir);
  if (existing !== null) return { status: 'started', startedAt: existing.startedAt, pid: existing.pid };

  const found = input.registry.resolve(input.worker.adapter);
  if ('status' in found) return found;
  const { adapter } = found;
  const { worker, config, env, workspace } = input;
  const check = await adapter.check({ worker, config, env, workspace });
  if (!check.available) return { status: 'unavailable', message: check.message, details: check.details };

  const paths = attemptPaths(input.attemptDir);
  const { runId, task, attempt, epoch } = input.prompt;
  const invocation = adapter.buildInvocation({
    worker,
    config,
    env,
    workspace,
    runId,
    taskId: task.id,
    attemptId: attempt.attemptId,
    attempt: attempt.number,
    epoch,
    promptFile: paths.prompt,
    completionFile: paths.completion,
    sandboxed: input.sandbox !== undefined && input.sandbox.sandbox.kind !== 'none',
  });
  const started = await startAttempt({
    attemptDir: input.attemptDir,
    invocation: confineInvocation(invocation, input.sandbox, paths, adapter.sandboxPaths?.({ env, config, role: 'worker' })),
    timeoutMs: input.timeoutMs,
    prompt: buildPrompt({ ...input.prompt, completionFile: paths.completion }),
    attempt: { runId, taskId: task.id, attemptId: attempt.attemptId, epoch },
    ...(input.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: input.heartbeatIntervalMs }),
    ...(input.graceMs === undefined ? {} : { graceMs: input.graceMs }),
    ...(input.now === undefined ? {} : { now: input.now }),
    ...(input.crash === undefined ? {} : { crash: input.crash }),
    ...(input.pool === undefined ? {} : { pool: input.pool }),
  });
  input.crash?.('dispatch.after-spawn');
  if (started.how === 'spawned' || started.how === 'recovered') input.onStarted?.();
  return { status: 'started', startedAt: started.startedAt, pid: started.pid };
}

export interface AwaitAttemptInput extends Omit<WaitOptions, 'deriveOutcome' | 'expected'> {
  readonly registry: AdapterRegistry;
  readonly adapter: string;
  readonly attemptDir: string;
  readonly expected: ExpectedAttempt;
  /** Crash points (src/chaos): `completion.before-ingest` once the outcome is known; omit in production. */
  readonly crash?: CrashPoint;
}

/**
 * Wait for an attempt's outcome, derived by its adapter (the default
 * derivation when the adapter is no longer known); usage falls back to the
 * adapter's parseUsage over the end of stdout.
 */
export async function awaitAttempt(input: AwaitAttemptInput): Promise<WorkerEnd> {
  const { registry, adapter: name, attemptDir, crash, ...options } = input;
  const found = registry.resolve(name);
  const adapter = 'adapter' in found ? found.adapter : null;
  const outcome = await waitForOutcome(attemptDir, { ...options, deriveOutcome: adapter?.deriveOutcome ?? defaultDeriveOutcome, awaitExit: adapter?.awaitExit === true });
  crash?.('completion.before-ingest');
  if ((outcome.kind === 'completion' || outcome.kind === 'invalid') && outcome.usage === null && adapter?.parseUsage !== undefined) {
    const usage = adapter.parseUsage(tail(attemptPaths(attemptDir).stdout, USAGE_TAIL_BYTES));
    if (usage !== null) return { ...outcome, usage };
  }
  return outcome;
}
