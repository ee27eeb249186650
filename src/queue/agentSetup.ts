// The packet's setup on a worker agent: the job's setup commands in the
// attempt's fresh worktree, after the worktree is added and before the worker
// is dispatched, confined by the attempt's own sandbox plan, with the job's
// env allowlist and BURAN_REPO_ROOT naming the agent's clone (an agent has no
// checkout of the user's). Each attempt has a fresh worktree, so setup runs
// once per attempt; its evidence goes back to the runner in the result.
import type { CommandEvidence } from '../domain/gates.js';
import { CommandEvidenceSchema } from '../domain/gates.js';
import { sha256 } from '../domain/hash.js';
import { runSetup } from '../gates/setup.js';
import { redactEvidence } from '../engine/redactResults.js';
import type { SandboxPlan } from '../sandbox/index.js';
import type { AgentSetup, AttemptJob } from './attemptJob.js';

export interface JobSetupRun {
  /** What ran (outputs still empty: they are listed with git once the worktree is known to be safe to ask). */
  readonly setup: AgentSetup;
  /** The command that failed, could not start or timed out; null when setup passed. */
  readonly failed: CommandEvidence | null;
}

/**
 * Runs `setup` (the job's) in `worktree`; never throws for a command's own failure. Evidence text is redacted with the
 * agent's secrets before it leaves the machine.
 * @example
 * const ran = await runJobSetup({ job, setup: job.setup, plan, worktree, repoRoot: repo.gitDir, env: process.env, redact });
 */
export async function runJobSetup(o: {
  readonly job: AttemptJob;
  readonly setup: NonNullable<AttemptJob['setup']>;
  readonly plan: SandboxPlan;
  readonly worktree: string;
  /** The agent's clone of the run's remote: BURAN_REPO_ROOT, readable to the commands, never writable when confined. */
  readonly repoRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly redact: (text: string) => string;
}): Promise<JobSetupRun> {
  const evidence: CommandEvidence[] = [];
  const ran = await runSetup({
    commands: o.setup.commands,
    where: `task ${o.job.taskId}`,
    cwd: o.worktree,
    repoRoot: o.repoRoot,
    envAllowlist: o.job.config.env.allowlist,
    envSource: o.env,
    timeoutMs: o.setup.timeoutMs,
    sandbox: o.plan,
    putEvidence: (text) => {
      const redacted = redactEvidence(text, o.redact);
      evidence.push(CommandEvidenceSchema.parse(JSON.parse(redacted)));
      return Promise.resolve(sha256(redacted));
    },
  });
  const failed = ran.failed === null ? null : (evidence.at(-1) ?? ran.failed);
  return { setup: { status: ran.record.status === 'ok' ? 'ok' : 'failed', commands: evidence, outputs: [] }, failed };
}
