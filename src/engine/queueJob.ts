// The pure parts of queue-backed attempts: whether a run's attempts go to the
// queue (config `queue`, BURAN_QUEUE_URL), the job a task's attempt becomes,
// and what a finished job means for the task chart.
import type { DispatchInput, WorkerOutcome } from '../../machines/task.types.js';
import { type Config, DEFAULT_CONFIG } from '../domain/config.js';
import type { Packet } from '../domain/packet.js';
import { ATTEMPT_JOB_SCHEMA_ID, type AttemptJob, type AttemptResult } from '../queue/attemptJob.js';
import type { AttemptJobState } from '../queue/port.js';
import { effectiveSandboxPolicy } from '../sandbox/index.js';
import { agentSetupFailed, agentSetupProblem, agentSetupRecord, agentSetupWhere } from './queueSetup.js';

export interface QueueSettings {
  readonly url: string;
  readonly remote: string;
}

/**
 * The queue a run's attempts go to, or null (they run on this machine). BURAN_QUEUE_URL wins over `queue.url`;
 * a URL without `queue.remote` is `{ url, remote: null }`, refused at preflight.
 * @example
 * queueSettingsOf(config, process.env); // { url: 'redis://10.0.0.5:6379', remote: '/srv/git/app.git' }
 */
export function queueSettingsOf(config: Config, env: Readonly<Record<string, string | undefined>>): { readonly url: string; readonly remote: string | null } | null {
  const fromEnv = env['BURAN_QUEUE_URL'];
  const url = fromEnv !== undefined && fromEnv !== '' ? fromEnv : config.queue?.url;
  if (url === undefined) return null;
  return { url, remote: config.queue?.remote ?? null };
}

/** The job of one attempt: the runner's config without its queue and notification settings, the run's sandbox policy, the task's prompt. */
export function attemptJobOf(o: {
  readonly runId: string;
  readonly packet: Packet;
  readonly config: Config;
  readonly remote: string;
  readonly baseCommit: string;
  readonly input: DispatchInput;
  /** Per setup command (ms): the runner's bound for verification and setup commands. */
  readonly setupTimeoutMs: number;
}): AttemptJob {
  const { packet, input } = o;
  const task = packet.tasks.find((t) => t.id === input.taskId);
  if (task === undefined) throw new Error(`run ${o.runId}: unknown task ${input.taskId}`);
  // Not for agents: the queue settings (a Redis password) and the notification targets (a webhook's token).
  const { queue: _queue, ...rest } = o.config;
  const config = { ...rest, notify: DEFAULT_CONFIG.notify };
  const policy = effectiveSandboxPolicy(o.config.sandbox, packet.policy?.sandbox);
  return {
    schema: ATTEMPT_JOB_SCHEMA_ID,
    runId: o.runId,
    taskId: input.taskId,
    attemptId: input.attempt.attemptId,
    attempt: input.attempt.number,
    epoch: input.attempt.epoch,
    remote: o.remote,
    baseCommit: o.baseCommit,
    worker: packet.worker,
    config,
    // The runner's writable folders are its own machine's: not applied on agents.
    sandbox: { mode: policy.mode, network: policy.network, writable: [] },
    prompt: {
      task: { id: task.id, title: task.title, instructions: task.instructions, acceptance: task.acceptance, scope: task.scope },
      packet: { title: packet.title, goal: packet.goal },
      findings: [...input.findings],
    },
    timeoutMs: packet.limits.taskTimeoutSec * 1000,
    heartbeatTimeoutMs: packet.limits.heartbeatTimeoutSec * 1000,
    // Only when there is setup: an agent that predates it refuses the job rather than skip it.
    ...((packet.setup ?? []).length === 0 ? {} : { setup: { commands: packet.setup ?? [], timeoutMs: o.setupTimeoutMs } }),
  };
}

/** What the runner knows of an attempt's setup when it reads the job's result: `hashes` are the stored evidence of the result's setup commands, in order. */
export interface JobSetupContext {
  readonly taskId: string;
  /** Whether the job carried setup commands (the packet has some). */
  readonly expected: boolean;
  readonly hashes: readonly string[];
}

const NO_SETUP: JobSetupContext = { taskId: '', expected: false, hashes: [] };

/**
 * What a finished job says before its commit is looked at: the worker's outcome, or why there is none. A stalled or
 * failed job, or an agent that could not start the attempt, is `missing`: the task's worker-lost path (a new attempt
 * id while attempts remain). A setup that failed on the agent is `setup_failed` (the task blocks, as for a local
 * setup); a setup that ran is carried on the outcome. Null while the job is waiting or running.
 */
export function jobOutcome(state: AttemptJobState, setup: JobSetupContext = NO_SETUP): { readonly outcome: WorkerOutcome; readonly result: AttemptResult | null } | null {
  const on = (agent: string | null) => (agent === null ? '' : ` on worker agent ${agent}`);
  switch (state.state) {
    case 'waiting':
    case 'active':
      return null;
    case 'absent':
      return { outcome: { kind: 'missing', reason: 'the attempt job is gone from the queue (removed by a cancel, or by someone with access to the Redis)' }, result: null };
    case 'failed':
      return {
        outcome: { kind: 'missing', reason: state.stalled ? `the attempt's job stalled${on(state.agent)} (its holder died, hung or lost Redis); it is never run again` : `the attempt's job failed${on(state.agent)}: ${state.reason}` },
        result: null,
      };
    case 'completed': {
      const result = state.result;
      if (result === null) return { outcome: { kind: 'invalid', digest: null, problems: [`the job's result is not an attempt result: ${state.problem ?? 'unreadable'}`], usage: null }, result: null };
      const problem = agentSetupProblem(result, setup.expected);
      if (problem !== null) return { outcome: { kind: 'invalid', digest: null, problems: [`worker agent ${result.agent}: ${problem}`], usage: null }, result };
      if (result.status === 'unavailable') return { outcome: { kind: 'missing', reason: `worker agent ${result.agent} could not start the attempt: ${result.message ?? 'no reason given'}` }, result };
      const record = result.setup === undefined ? null : agentSetupRecord(result.setup, agentSetupWhere(setup.taskId, result.agent), setup.hashes);
      const ran = record === null ? {} : { setup: record };
      if (result.status === 'setup_failed' && result.setup !== undefined && record !== null) {
        const failed = agentSetupFailed(result.setup, record);
        if (failed !== null) return { outcome: failed, result };
      }
      if (result.outcome === null) return { outcome: { kind: 'missing', reason: `worker agent ${result.agent} reported no outcome`, ...ran }, result };
      return { outcome: { ...result.outcome, ...ran }, result };
    }
  }
}
