// Attempts on worker agents (`buran worker`) instead of this machine, when the
// config names a queue: the same task chart, the same dispatch intent and
// deadlines, the same checks of what comes back. Dispatch pushes the task's
// base to the run's git remote and adds one job per attempt id (a restarted
// runner finds it and never adds again); awaiting reads the job's result,
// then takes ONLY the commit that result names, as a child of the base,
// checked like a local attempt's output. A stalled or failed job is the
// task's worker-lost path. See docs/distributed.md.
import type { AwaitInput, DispatchInput, DispatchOutcome, WorkerOutcome } from '../../machines/task.types.js';
import type { PreflightOutcome } from '../../machines/run.types.js';
import type { Config } from '../domain/config.js';
import { BuranError } from '../domain/errors.js';
import type { Packet } from '../domain/packet.js';
import { AGENT_NAME, attemptRef, jobIdOf, jobIdProblem } from '../queue/attemptJob.js';
import { redactUrl } from '../queue/durability.js';
import type { AttemptQueue } from '../queue/port.js';
import { NESTED_SCAN_LIMIT, findNestedGitEntries } from '../workspace/nestedRepos.js';
import { readBranchTip } from '../workspace/index.js';
import type { Workspace } from '../workspace/port.js';
import type { RunEffects } from './effects.js';
import { redactOutcome } from './redactResults.js';
import { queueSettingsOf, attemptJobOf, jobOutcome } from './queueJob.js';
import { answered, pause } from './queueAnswer.js';
import { jobIdOfRecord, queuedAttempts, readQueuedAttempt, writeQueuedAttempt } from './queueRecords.js';

/** How often (ms) a waiting runner asks the queue about an attempt's job. */
const POLL_MS = 250;
/**
 * How long (ms) the queue may leave one question unanswered. The connection waits for Redis to come back (a restart
 * costs nothing); past this the task blocks `queue_unavailable` (retryable, resume at await) instead of hanging.
 */
export const QUEUE_ANSWER_MS = 120_000;

export interface QueueAttemptsOptions {
  readonly runId: string;
  readonly runDir: string;
  readonly repoRoot: string;
  readonly packet: Packet;
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly ws: Workspace;
  readonly now: () => number;
  readonly redact: (text: string) => string;
  /** Stores one piece of evidence (JSON text; redacted by it) in the run store and returns its `sha256:` hash: an agent's setup evidence. */
  readonly putEvidence: (text: string) => Promise<string>;
  /** Per setup command on the agents (ms): the runner's bound for its own setup and verification commands. */
  readonly setupTimeoutMs: number;
  /** The queue on the Redis at `url` (default: the process's shared BullMQ queue, opened after the durability preflight). */
  readonly openQueue?: (url: string) => Promise<AttemptQueue>;
  /** Bound on one unanswered question to the queue in dispatch, await and cancel (default QUEUE_ANSWER_MS). */
  readonly answerMs?: number;
}

export interface QueueAttempts {
  /** The queue's settings and durability preflight: null when fine, an outcome that blocks the run, or throws queue_not_durable / queue_unavailable. */
  preflight(): Promise<PreflightOutcome | null>;
  dispatch(input: DispatchInput): Promise<DispatchOutcome>;
  await(input: AwaitInput, signal: AbortSignal): Promise<WorkerOutcome>;
  /**
   * Publish the cancel of every attempt of the run whose job has not ended. Throws `queue_unavailable` naming the
   * attempts whose cancel the queue did not confirm (Redis unanswered past the bound): their jobs may still run.
   */
  cancelAll(): Promise<void>;
}

/** The queue-backed attempts of one run, or null when the config names no queue (attempts run on this machine). */
export function createQueueAttempts(o: QueueAttemptsOptions): QueueAttempts | null {
  const settings = queueSettingsOf(o.config, o.env);
  if (settings === null) return null;
  const { url } = settings;
  const open = () => (o.openQueue ?? defaultOpen)(url);
  const remoteOf = (): string => {
    if (settings.remote === null) throw new Error('queue.remote is not set');
    return settings.remote;
  };

  /** The queue's answer about an attempt, or queue_unavailable past the bound (or the abort). */
  const ask = <T>(question: Promise<T>, attemptId: string, signal: AbortSignal | null = null): Promise<T> =>
    answered(question, o.answerMs ?? QUEUE_ANSWER_MS, signal, `attempt ${attemptId}: the queue at ${redactUrl(url)}`);

  async function taskTree(taskId: string, epoch: number, attemptId: string, update: boolean) {
    return o.ws.taskWorkspace({ runId: o.runId, taskId, epoch, attemptId, update });
  }

  return {
    async preflight() {
      const details = { url: redactUrl(url) };
      if (settings.remote === null) {
        throw new BuranError({ code: 'queue_unavailable', message: `the queue at ${redactUrl(url)} needs queue.remote in .buran/config.json: a git URL the runner and every worker machine can fetch from and push to`, details });
      }
      // Throws queue_not_durable / queue_unavailable (blocker codes): the run blocks before anything is leased or added.
      await open();
      return null;
    },

    async dispatch(input) {
      const { taskId, attempt } = input;
      const prepared = await taskTree(taskId, attempt.epoch, attempt.attemptId, true);
      if (prepared.status !== 'ready') {
        return { status: 'conflict', message: `task ${taskId}: the run branch does not merge into the task branch: ${prepared.message}`, details: { runId: o.runId, taskId, files: prepared.files } };
      }
      const queue = await open();
      // Intent: the base is recorded before anything leaves this machine (the chart recorded the dispatch before this).
      let record = readQueuedAttempt(o.runDir, attempt.attemptId);
      if (record === null) {
        const tip = await readBranchTip(o.repoRoot, prepared.branch);
        if (tip === null) throw new Error(`task ${taskId}: branch ${prepared.branch} has no commit`);
        const jobId = jobIdOf(o.runId, attempt.attemptId);
        const problem = jobIdProblem(jobId);
        if (problem !== null) throw new BuranError({ code: 'invalid_input', message: `task ${taskId}: ${problem}`, details: { runId: o.runId, attemptId: attempt.attemptId } });
        record = { schema: 'buran.queued-attempt/v1', attemptId: attempt.attemptId, jobId, taskId, baseCommit: tip.commit, addedAt: null, agent: null };
        await writeQueuedAttempt(o.runDir, record);
      }
      const jobId = jobIdOfRecord(record);
      const remote = remoteOf();
      await o.ws.publishCommit({ remote, commit: record.baseCommit, ref: `refs/buran/bases/${jobId}` });
      // Added once: a job for this id already in the queue (a restarted runner, or a crash after the add) is re-attached.
      // One that was added and is gone (cancelled before anyone took it) is not added again: awaiting reports it missing.
      if (record.addedAt === null) {
        // Unanswered past the bound: queue_unavailable, resume at dispatch; an add the client still sends later is found then.
        if ((await ask(queue.find(jobId), attempt.attemptId)).state === 'absent') {
          await ask(queue.add(attemptJobOf({ runId: o.runId, packet: o.packet, config: o.config, remote, baseCommit: record.baseCommit, input, setupTimeoutMs: o.setupTimeoutMs })), attempt.attemptId);
        }
        record = { ...record, addedAt: o.now() };
        await writeQueuedAttempt(o.runDir, record);
      }
      return { status: 'started', startedAt: record.addedAt ?? o.now(), pid: null };
    },

    async await(input, signal) {
      const { taskId, attempt } = input;
      const queue = await open();
      const record = readQueuedAttempt(o.runDir, attempt.attemptId);
      if (record === null) return { kind: 'missing', reason: `attempt ${attempt.attemptId} was never sent to the queue` };
      const jobId = jobIdOfRecord(record);
      /** The record as this wait keeps it (agent and takenAt written as they become known). */
      let kept = record;
      // The attempt's time limit (the chart's deadline less its start) runs once an agent holds the job; while the job
      // waits for a free agent, the wait has a bound of the same length of its own.
      const limitMs = attempt.deadlineAt !== null && attempt.startedAt !== null ? attempt.deadlineAt - attempt.startedAt : null;
      const waitingSince = record.addedAt ?? attempt.startedAt ?? o.now();
      const noteAgent = async (said: string | null) => {
        // The name comes from Redis (the job's progress, the result): shown in status and the report, so only a plain one.
        const name = said === null ? null : AGENT_NAME.test(said) ? said : '(unreadable agent name)';
        if (name === null || name === kept.agent) return;
        kept = { ...kept, agent: name };
        await writeQueuedAttempt(o.runDir, kept);
      };
      for (;;) {
        signal.throwIfAborted();
        const state = await ask(queue.find(jobId), attempt.attemptId, signal);
        if (state.state !== 'absent') await noteAgent(state.agent);
        if ((kept.takenAt ?? null) === null && state.state !== 'absent' && state.state !== 'waiting') {
          kept = { ...kept, takenAt: o.now() };
          await writeQueuedAttempt(o.runDir, kept);
        }
        const takenAt = kept.takenAt ?? null;
        // An agent's setup evidence goes to the run store first (as a local setup's does); the record names it by hash.
        const hashes = state.state === 'completed' && state.result?.setup !== undefined ? await storeEvidence(state.result.setup.commands) : [];
        const ended = jobOutcome(state, { taskId, expected: (o.packet.setup ?? []).length > 0, hashes });
        if (ended !== null) {
          await noteAgent(ended.result?.agent ?? null);
          const outcome = redactOutcome(ended.outcome, o.redact);
          if (outcome.kind !== 'completion' || outcome.status !== 'completed') return outcome;
          return ingestCommit(taskId, attempt.epoch, attempt.attemptId, jobId, record.baseCommit, ended.result?.commit ?? null, outcome);
        }
        if (limitMs !== null && takenAt !== null && o.now() >= takenAt + limitMs) {
          await ask(queue.cancel(jobId), attempt.attemptId, signal);
          return { kind: 'timeout', reason: 'wall' };
        }
        if (limitMs !== null && takenAt === null && o.now() >= waitingSince + limitMs) {
          // No agent took it: nothing ran, so it is not the attempt's timeout. The job is withdrawn and the task blocks
          // (retryable: a retry finds the job cancelled and starts a new attempt, once agents are running).
          await ask(queue.cancel(jobId), attempt.attemptId, signal);
          throw new BuranError({
            code: 'queue_unavailable',
            message: `attempt ${attempt.attemptId}: no worker agent took the job within ${Math.round(limitMs / 1000)} s (the task's time limit); is \`buran worker --queue ${redactUrl(url)}\` running on a machine that can reach it?`,
            details: { attemptId: attempt.attemptId, waitedMs: o.now() - waitingSince },
          });
        }
        await pause(POLL_MS, signal);
      }
    },

    async cancelAll() {
      const records = queuedAttempts(o.runDir);
      const unconfirmed: string[] = [];
      let firstError: unknown = null;
      let away = false;
      const queue = await open().catch((error: unknown) => {
        firstError = error;
        return null;
      });
      for (const record of records) {
        const { attemptId } = record;
        const jobId = jobIdOfRecord(record);
        // One question unanswered past the bound: Redis is away, so the rest are not asked (each would wait again).
        if (queue === null || away) {
          unconfirmed.push(attemptId);
          continue;
        }
        try {
          const { state } = await ask(queue.find(jobId), attemptId);
          if (state === 'waiting' || state === 'active') await ask(queue.cancel(jobId), attemptId);
        } catch (error) {
          firstError ??= error;
          away = isUnanswered(error);
          unconfirmed.push(attemptId);
        }
      }
      if (unconfirmed.length > 0) throw cancelNotConfirmed(o.runId, redactUrl(url), unconfirmed, firstError);
    },
  };

  /** Each piece of evidence stored in order (one at a time: the store's artifact writes stay sequential). */
  async function storeEvidence(pieces: readonly unknown[]): Promise<string[]> {
    const hashes: string[] = [];
    for (const piece of pieces) hashes.push(await o.putEvidence(JSON.stringify(piece)));
    return hashes;
  }

  /** The completed attempt's commit into the task worktree, or the violation that keeps it out. */
  async function ingestCommit(taskId: string, epoch: number, attemptId: string, jobId: string, base: string, commit: string | null, outcome: WorkerOutcome & { kind: 'completion' }): Promise<WorkerOutcome> {
    const tree = await taskTree(taskId, epoch, attemptId, false);
    if (tree.status !== 'ready') throw new Error(`task ${taskId}: its worktree is gone: ${tree.message}`);
    let changedFiles: readonly string[] = [];
    if (commit !== null) {
      const adopted = await o.ws.adoptRemoteAttempt({ worktree: tree.worktree, attemptId, jobId, remote: remoteOf(), ref: attemptRef(jobId), commit, base });
      // A remote that does not answer says nothing about the attempt: the task blocks retryably (queue_unavailable, resume at await).
      if (adopted.status === 'unreachable') throw new BuranError({ code: 'queue_unavailable', message: `attempt ${attemptId}: ${adopted.reason}`, details: { attemptId, commit } });
      if (adopted.status === 'refused') return { kind: 'violation', reason: o.redact(`the attempt's commit was not taken: ${adopted.reason}`), files: adopted.files.map(o.redact) };
      changedFiles = adopted.changedFiles;
    }
    // As after a local attempt: buran runs no git on a worktree that holds an embedded repository.
    const nested = findNestedGitEntries(tree.worktree);
    if (nested.found.length > 0 || nested.truncated) {
      const files = nested.found.slice(0, 20);
      const why = nested.truncated ? `more than ${NESTED_SCAN_LIMIT} entries to check for embedded repositories` : `embedded git repositories: ${files.join(', ')}`;
      return { kind: 'violation', reason: `the attempt left ${why}; buran runs no git on a worktree that holds one`, files };
    }
    // The changed files are git's, never the worker's claim.
    return { ...outcome, changedFiles };
  }
}

/**
 * The run's effects with attempts routed through the queue (`queued` null: unchanged). Preflight checks the queue
 * first; a cancel reaches the local attempts (none) and the queued ones.
 */
export function routeThroughQueue(effects: RunEffects, queued: QueueAttempts | null): RunEffects {
  if (queued === null) return effects;
  return {
    ...effects,
    checkAdapters: async (input) => (await queued.preflight()) ?? effects.checkAdapters(input),
    dispatchWorker: (input) => queued.dispatch(input),
    awaitCompletion: (input, signal) => queued.await(input, signal),
    cancelWorkers: async (runId) => {
      await effects.cancelWorkers(runId);
      await queued.cancelAll();
    },
  };
}

async function defaultOpen(url: string): Promise<AttemptQueue> {
  const { sharedQueue } = await import('../queue/openQueues.js');
  return sharedQueue(url);
}

/** An unanswered question (the bound passed), as opposed to an error Redis answered with. */
function isUnanswered(error: unknown): boolean {
  return error instanceof BuranError && error.code === 'queue_unavailable';
}

/** The cancel of `attemptIds` was asked and the queue did not confirm it: said as such, never as stopped. */
function cancelNotConfirmed(runId: string, url: string, attemptIds: readonly string[], cause: unknown): BuranError {
  const shown = attemptIds.slice(0, 10).join(', ') + (attemptIds.length > 10 ? `, and ${attemptIds.length - 10} more` : '');
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new BuranError({
    code: 'queue_unavailable',
    message: `run ${runId}: the queue at ${url} did not confirm the cancel of ${attemptIds.length} queued attempt(s) (${shown}): their jobs may still wait or run on worker agents (${reason})`,
    details: { runId, url, unconfirmed: attemptIds },
    nextSafeAction: {
      text: "Until the queue confirms, treat these attempts as running: stop the worker agents that hold them (status names each attempt's agent). Once Redis answers, cancel the run again: that asks the queue again. A job no agent took yet runs once Redis is back unless cancelled; its result is never taken into this run.",
      command: `buran cancel --run ${runId} --reason "ask the queue again"`,
    },
    cause,
  });
}
