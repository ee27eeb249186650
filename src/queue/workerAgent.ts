// The worker agent: takes attempt jobs from the queue and runs each through
// runAttemptJob. Its lock on a job is its heartbeat; a job whose lock it
// loses (or that is cancelled) has its attempt killed at once, since BullMQ
// does not stop a job's code by itself.
import { mkdir, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { type Job, QueueEvents, type QueueEventsListener, UnrecoverableError, Worker } from 'bullmq';
import { BuranError } from '../domain/errors.js';
import { errnoCode } from '../platform/errno.js';
import { type HeldLock, tryLockFile } from '../platform/lockFile.js';
import { writableFolders } from '../sandbox/index.js';
import { attemptStatus, killAttempt } from '../worker/index.js';
import { ATTEMPT_QUEUE, AttemptJobSchema, type AttemptResult, CANCEL_EVENT, jobIdOf, jobIdProblem } from './attemptJob.js';
import { cancelKey, preflightRedis, queueConnection } from './redis.js';
import { type AgentContext, agentPaths, runAttemptJob } from './runAttemptJob.js';

/** How long a job's lock lasts without renewal (ms); it is renewed at half of it. */
export const DEFAULT_LOCK_MS = 10_000;
/** How often (ms) agents look for jobs whose holder stopped renewing (they fail as stalled). */
export const DEFAULT_STALLED_INTERVAL_MS = 5_000;

export interface WorkerAgentOptions extends Omit<AgentContext, 'dir' | 'exclusive'> {
  readonly url: string;
  /** The agent's folder; made when missing; one agent per folder. */
  readonly dir: string;
  readonly concurrency: number;
  readonly queueName?: string;
  readonly lockMs?: number;
  readonly stalledIntervalMs?: number;
  /** One line per notable thing (a job taken, ended, failed; connection errors). */
  readonly log: (line: string) => void;
}

export interface RunningAgent {
  /** Take no new jobs; resolve when the running ones have ended. */
  drain(): Promise<void>;
  /** Take no new jobs, kill the running attempts (their jobs fail), and close. */
  stop(): Promise<void>;
}

interface CancelListener extends QueueEventsListener {
  [CANCEL_EVENT]: (args: { jobId?: string; attemptId?: string }, id: string) => void;
}

/**
 * Start an agent: durability preflight, the folder lock, then jobs at
 * `concurrency`. Workers never re-run a stalled job (`maxStalledCount: 0`).
 * @example
 * const agent = await startWorkerAgent({ url, dir: '/srv/agent', concurrency: 3, name: 'box-7', env: process.env, registryFor, log: console.error });
 * process.once('SIGTERM', () => void agent.drain());
 */
export async function startWorkerAgent(o: WorkerAgentOptions): Promise<RunningAgent> {
  await preflightRedis(o.url);
  await mkdir(o.dir, { recursive: true });
  const dir = await realpath(o.dir);
  // This machine's folders, this machine's choice: never the agent's own folder (clones, worktrees, attempt records).
  const writable = await writableFolders(o.writable ?? [], [dir], 'buran worker --writable');
  const lock = await holdFolder(dir);
  await killLeftovers(dir, o.log);
  const name = o.queueName ?? ATTEMPT_QUEUE;
  const onError = (error: Error) => o.log(`redis: ${error.message}`);
  const connection = queueConnection(o.url, onError);
  const controllers = new Map<string, AbortController>();
  const abort = (jobId: string, why: string) => controllers.get(jobId)?.abort(new Error(why));
  const ctx: AgentContext = { ...o, dir, writable, exclusive: serialiser() };

  const lockMs = o.lockMs ?? DEFAULT_LOCK_MS;
  const processor = async (job: Job<unknown, AttemptResult>, token?: string, signal?: AbortSignal): Promise<AttemptResult> => {
    const parsed = AttemptJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`not an attempt job: ${parsed.error.message}`);
    const attemptId = parsed.data.attemptId;
    // The job id is the run's id and the attempt id (a runner before job ids named it by the attempt id alone).
    const jobId = job.id ?? '';
    if (jobId !== jobIdOf(parsed.data.runId, attemptId) && jobId !== attemptId) throw new UnrecoverableError(`job ${jobId} carries attempt ${attemptId} of run ${parsed.data.runId}`);
    // It names this agent's folders and a ref: plain characters only (whoever can write to Redis chose it).
    const idProblem = jobIdProblem(jobId);
    if (idProblem !== null) throw new UnrecoverableError(idProblem);
    const controller = new AbortController();
    // Registered before the marker is read: a cancel either set the marker first or finds this controller.
    controllers.set(jobId, controller);
    signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    try {
      await job.updateProgress({ agent: o.name });
      if ((await connection.exists(cancelKey(name, jobId))) === 1) controller.abort(new Error('cancelled before it started'));
      o.log(`${jobLabel(parsed.data, jobId)}: taken`);
      const holdsLock = async () => token !== undefined && (await job.extendLock(token, lockMs)) === 1;
      const result = await runAttemptJob(ctx, parsed.data, jobId, controller.signal, holdsLock);
      o.log(`${jobLabel(parsed.data, jobId)}: ${result.status}${result.outcome === null ? '' : ` (${result.outcome.kind})`}`);
      return result;
    } finally {
      controllers.delete(jobId);
    }
  };

  let taking: Worker<unknown, AttemptResult> | null = null;
  // Its own connection: it blocks on the events stream. BullMQ closes neither connection it was given.
  const eventsConnection = queueConnection(o.url, onError);
  const events = new QueueEvents(name, { connection: eventsConnection });
  events.on<CancelListener, typeof CANCEL_EVENT>(CANCEL_EVENT, (args: { jobId?: string; attemptId?: string }) => {
    // `attemptId`: the cancel of a runner before job ids (its job id was the attempt id).
    const jobId = args.jobId ?? args.attemptId;
    if (jobId === undefined) return;
    abort(jobId, 'cancelled');
    taking?.cancelJob(jobId, 'cancelled');
  });
  events.on('error', onError);
  // Listening before taking any job: a cancel published while a job starts is heard (the marker covers the rest).
  await events.waitUntilReady();
  const worker = new Worker<unknown, AttemptResult>(name, processor, {
    connection,
    concurrency: o.concurrency,
    name: o.name,
    maxStalledCount: 0,
    lockDuration: lockMs,
    stalledInterval: o.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
  });
  taking = worker;
  worker.on('error', onError);
  worker.on('failed', (job, error) => o.log(`${jobLabel(job?.data, job?.id)}: failed: ${error.message}`));
  // The lock lapsed (this process was stopped, or Redis was out of reach): whatever the job does now is refused, so end it.
  worker.on('lockRenewalFailed', (ids) => {
    for (const id of ids) {
      abort(id, 'lock lost');
      worker.cancelJob(id, 'lock lost');
    }
  });

  let closing: Promise<void> | null = null;
  // Closing waits for the running processors; a stop first aborts them, so they end as soon as their attempts are killed.
  const close = () =>
    (closing ??= (async () => {
      await worker.close();
      await events.close();
      eventsConnection.disconnect();
      connection.disconnect();
      await lock.release();
    })());
  return {
    drain: close,
    stop: () => {
      for (const id of controllers.keys()) abort(id, 'agent stopped');
      return close();
    },
  };
}

/** One agent per folder: two would share worktrees and attempt records. */
async function holdFolder(dir: string): Promise<HeldLock> {
  const attempt = await tryLockFile(join(dir, 'agent.lock'));
  if (attempt.acquired) return attempt.lock;
  throw new BuranError({
    code: 'invalid_input',
    message: `another worker agent uses ${dir}${attempt.holder === null ? '' : ` (pid ${attempt.holder.pid} on ${attempt.holder.host})`}; give each agent its own --dir`,
    details: { dir, holder: attempt.holder },
  });
}

/**
 * Attempts still running in the folder belong to an earlier agent process
 * that died: their jobs failed as stalled and will never be completed by
 * anyone, so nothing of them may keep running.
 */
async function killLeftovers(dir: string, log: (line: string) => void): Promise<void> {
  const attempts = agentPaths(dir, '').attemptDir;
  const names = await readdir(attempts).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return [] as string[];
    throw error;
  });
  for (const attemptId of names) {
    const attemptDir = join(attempts, attemptId);
    if (attemptStatus(attemptDir).state !== 'running') continue;
    const killed = await killAttempt(attemptDir, { reason: 'orphan' });
    if (killed.signalled) log(`attempt ${attemptId}: killed, left running by an earlier agent in this folder`);
  }
}

/** How the log names a job: its attempt and run when the job says them plainly, else its id. */
function jobLabel(data: unknown, id: string | undefined): string {
  const job = AttemptJobSchema.safeParse(data);
  return job.success ? `attempt ${job.data.attemptId} of run ${job.data.runId}` : `job ${String(id)}`;
}

/** Runs work for one key at a time, in order. */
function serialiser(): AgentContext['exclusive'] {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(work, work);
    tails.set(key, run.catch(() => undefined));
    return run;
  };
}
