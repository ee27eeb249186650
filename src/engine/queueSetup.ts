// What a worker agent says about the packet's setup, judged on the runner:
// whether the result's setup fits the job (a job with setup must report it;
// a failed setup must end in a command that did not pass), and the setup
// record and outcome the task chart gets. A failed setup is the blocker a
// local failed setup gives (setup_failed), never the worker-lost path. Pure.
import type { WorkerOutcome } from '../../machines/task.types.js';
import type { SetupRecord } from '../domain/setup.js';
import { commandVerdict } from '../gates/verification.js';
import { setupFailureDetails, setupFailureMessage } from '../gates/setup.js';
import { AGENT_NAME, type AgentSetup, type AttemptResult } from '../queue/attemptJob.js';

/** Where an agent's setup ran, as records and messages name it. */
export function agentSetupWhere(taskId: string, agent: string): string {
  return `task ${taskId} on worker agent ${AGENT_NAME.test(agent) ? agent : '(unreadable agent name)'}`;
}

/** Why the result's setup does not fit the job, or null when it does. */
export function agentSetupProblem(result: AttemptResult, jobHasSetup: boolean): string | null {
  const setup = result.setup;
  if (result.status === 'unavailable') return null;
  if (!jobHasSetup) return setup === undefined && result.status !== 'setup_failed' ? null : 'the result reports a setup the job did not have';
  if (setup === undefined) return 'the job had setup commands and the result reports none';
  const passed = setup.commands.map((c) => commandVerdict(c) === 'PASS');
  const failedLast = passed.slice(0, -1).every(Boolean) && passed.at(-1) === false;
  if (result.status === 'setup_failed') {
    if (result.outcome !== null || result.commit !== null) return 'the result says setup failed, and also names an outcome or a commit';
    return setup.status === 'failed' && failedLast ? null : 'the result says setup failed, and its setup does not end in a command that failed';
  }
  return setup.status === 'ok' && passed.every(Boolean) ? null : 'the worker started though its setup did not pass';
}

/** The agent's setup as the task's history keeps it: each command's evidence by its stored hash (`hashes[i]`, in order). */
export function agentSetupRecord(setup: AgentSetup, where: string, hashes: readonly string[]): SetupRecord {
  const commands = setup.commands.map((c, i) => ({
    argv: c.argv,
    exitCode: c.exitCode,
    timedOut: c.timedOut,
    durationMs: c.durationMs,
    evidence: hashes[i] ?? '',
    ...(c.error === undefined ? {} : { error: c.error }),
  }));
  return { where, status: setup.status, commands, outputs: setup.outputs };
}

/** The outcome of an attempt whose setup failed on the agent: the message and details of a failed local setup's blocker. */
export function agentSetupFailed(setup: AgentSetup, record: SetupRecord): WorkerOutcome | null {
  const failed = setup.commands.at(-1);
  if (failed === undefined) return null;
  return { kind: 'setup_failed', reason: setupFailureMessage(record.where, failed), details: setupFailureDetails({ record, failed }), setup: record };
}
