// One attempt job on a worker agent: the task worktree at the job's base
// commit, the packet's setup in it (agentSetup.ts), the attempt under the same
// supervisor and sandbox as a local run (src/worker), one commit (setup's
// outputs left out) pushed to refs/buran/attempts/<attemptId>, and the
// result. Aborting `signal` (a cancel, or a lost lock) kills the attempt's
// process group; the job then fails and no result is returned.
import { join } from 'node:path';
import type { WorkerEnd } from '../../machines/task.types.js';
import type { Config } from '../domain/config.js';
import { secretValuesOf } from '../domain/redact.js';
import { redactOutcome, redactorOf } from '../engine/redactResults.js';
import { type SandboxPlan, chooseSandbox, probeBwrap } from '../sandbox/index.js';
import { type AdapterRegistry, awaitAttempt, dispatchAttempt, killAttempt } from '../worker/index.js';
import { sweepAttempt } from '../worker/sweepAttempt.js';
import { BURAN_IDENTITY } from '../workspace/git.js';
import { NESTED_SCAN_LIMIT, findNestedGitEntries } from '../workspace/nestedRepos.js';
import { setupFailureMessage } from '../gates/setup.js';
import { addWorktree, cloneFingerprint, commitAttempt, ensureClone, fetchCommit, pushAttempt, removeWorktree, untrackedPaths } from './agentRepo.js';
import { runJobSetup } from './agentSetup.js';
import { ATTEMPT_RESULT_SCHEMA_ID, type AgentSetup, type AttemptJob, type AttemptResult } from './attemptJob.js';

export interface AgentContext {
  /** The agent's folder (absolute, real path): clones/, work/worktrees/, work/attempts/. */
  readonly dir: string;
  /** The agent's name, recorded in every result. */
  readonly name: string;
  /** The agent's environment; only allowlisted variables reach the worker. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The adapters an attempt may use, for the job's configuration and its worktree. */
  readonly registryFor: (config: Config, worktree: string) => AdapterRegistry;
  /**
   * Further folders (real paths) confined processes on this agent may write (`buran worker --writable`): the agent's own,
   * as the runner's `sandbox.writable` are its machine's (never sent in a job).
   */
  readonly writable?: readonly string[];
  /** The bwrap to use instead of searching the system folders. */
  readonly bwrap?: string;
  /** Serialises git administration of one clone (worktree add / remove). */
  readonly exclusive: <T>(key: string, work: () => Promise<T>) => Promise<T>;
  readonly now?: () => number;
}

/** Paths of one attempt on the agent. `work/` is hidden from every confined worker but its own worktree and output. */
export function agentPaths(dir: string, jobId: string) {
  return { work: join(dir, 'work'), worktree: join(dir, 'work', 'worktrees', jobId), attemptDir: join(dir, 'work', 'attempts', jobId) };
}

/**
 * `jobId` (checked by the caller: plain characters) names the attempt's
 * folders here and its ref on the remote. `holdsLock` asks the queue whether this agent still holds the job (and
 * extends the lock): checked before the push, so a holder whose lock lapsed
 * while it was stopped or cut off pushes nothing.
 */
export async function runAttemptJob(ctx: AgentContext, job: AttemptJob, jobId: string, signal: AbortSignal, holdsLock: () => Promise<boolean>): Promise<AttemptResult> {
  const now = ctx.now ?? Date.now;
  const startedAt = now();
  const paths = agentPaths(ctx.dir, jobId);
  const redact = redactorOf(secretValuesOf(ctx.env));
  // The job's setup as it ran (set once it ran): in every result from then on.
  let setup: AgentSetup | undefined;
  const result = (status: AttemptResult['status'], outcome: WorkerEnd | null, commit: string | null, message: string | null): AttemptResult => ({
    schema: ATTEMPT_RESULT_SCHEMA_ID, attemptId: job.attemptId, agent: ctx.name, status, outcome, ...(setup === undefined ? {} : { setup }), commit, message, startedAt, endedAt: now(),
  });
  signal.throwIfAborted();
  const repo = await ctx.exclusive(job.remote, async () => {
    const cloned = await ensureClone(ctx.dir, job.remote);
    await fetchCommit(cloned, job.baseCommit);
    await addWorktree(cloned, paths.worktree, job.baseCommit);
    return cloned;
  });
  try {
    const choice = chooseSandbox(job.sandbox.mode, job.sandbox.mode === 'none' ? { ok: false, reason: 'not probed' } : await probeBwrap(ctx.bwrap));
    if (choice.status !== 'ok') return result('unavailable', null, null, choice.message);
    const plan: SandboxPlan = { sandbox: choice.sandbox, storeDir: paths.work, repoRoot: repo.gitDir, network: job.sandbox.network, writable: ctx.writable ?? [] };
    const trusted = cloneFingerprint(repo);
    // Before the worker, in the worktree that holds only the base commit's files; confined by the worker's own plan.
    if (job.setup !== undefined) {
      const ran = await runJobSetup({ job, setup: job.setup, plan, worktree: paths.worktree, repoRoot: repo.gitDir, env: ctx.env, redact });
      setup = ran.setup;
      signal.throwIfAborted();
      if (ran.failed !== null) return result('setup_failed', null, null, redact(setupFailureMessage(`task ${job.taskId} on worker agent ${ctx.name}`, ran.failed)));
      // git looks at the worktree next: not on a clone whose configuration changed, nor past an embedded repository.
      const unsafe = checkLeftovers(paths.worktree, trusted === cloneFingerprint(repo), 'setup');
      if (unsafe !== null) return result('started', unsafe, null, null);
      setup = { ...setup, outputs: await untrackedPaths(repo, paths.worktree) };
    }
    const registry = ctx.registryFor(job.config, paths.worktree);
    // From here an abort ends the attempt's whole process group.
    const kill = () => void killAttempt(paths.attemptDir, { reason: 'cancel' });
    signal.addEventListener('abort', kill, { once: true });
    try {
      const started = await dispatchAttempt({
        sandbox: plan,
        registry,
        config: job.config,
        worker: job.worker,
        env: ctx.env,
        workspace: paths.worktree,
        attemptDir: paths.attemptDir,
        prompt: { runId: job.runId, task: job.prompt.task, packet: job.prompt.packet, attempt: { attemptId: job.attemptId, number: job.attempt }, epoch: job.epoch, findings: job.prompt.findings },
        timeoutMs: job.timeoutMs + 60_000,
        now,
      });
      if (started.status !== 'started') return result('unavailable', null, null, started.message);
      if (signal.aborted) kill();
      const awaited = await awaitAttempt({
        registry,
        adapter: job.worker.adapter,
        attemptDir: paths.attemptDir,
        expected: { runId: job.runId, taskId: job.taskId, attemptId: job.attemptId, epoch: job.epoch },
        deadlineAt: started.startedAt + job.timeoutMs,
        heartbeatTimeoutMs: job.heartbeatTimeoutMs,
        now,
      });
      sweepAttempt(job.runId, job.attemptId, paths.attemptDir);
      // Cancelled or lock lost: the attempt was killed; nothing of it is reported (a lapsed holder's result would be refused anyway).
      signal.throwIfAborted();
      const outcome = redactOutcome(awaited, redact);
      const violation = checkLeftovers(paths.worktree, trusted === cloneFingerprint(repo), 'the attempt');
      if (violation !== null) return result('started', violation, null, null);
      if (outcome.kind !== 'completion' || outcome.status !== 'completed') return result('started', outcome, null, null);
      // What setup made (installed dependencies, a linked folder, a copied .env) is never part of the attempt.
      const exclude = setup?.outputs ?? [];
      const commit = await commitAttempt(repo, paths.worktree, { attemptId: job.attemptId, runId: job.runId, message: `${job.taskId}: ${outcome.summary.split('\n')[0] ?? ''}`, identity: job.config.commits.author ?? BURAN_IDENTITY, exclude });
      if (commit === null) return result('started', { ...outcome, changedFiles: [] }, null, null);
      signal.throwIfAborted();
      if (!(await holdsLock())) throw new Error(`attempt ${job.attemptId}: this agent no longer holds the job (its lock lapsed); nothing pushed`);
      await pushAttempt(repo, jobId, commit.commit);
      return result('started', { ...outcome, changedFiles: commit.changedFiles }, commit.commit, null);
    } finally {
      signal.removeEventListener('abort', kill);
    }
  } finally {
    await ctx.exclusive(job.remote, () => removeWorktree(repo, paths.worktree));
  }
}

/** What the attempt (or its setup: `who`) left that buran's git must not touch: a changed clone configuration, embedded repositories. */
function checkLeftovers(worktree: string, cloneUnchanged: boolean, who: 'the attempt' | 'setup'): WorkerEnd | null {
  if (!cloneUnchanged) return { kind: 'violation', reason: `${who} changed the agent's clone configuration (config, info/attributes or info/exclude); nothing was committed`, files: [] };
  const nested = findNestedGitEntries(worktree);
  if (nested.found.length === 0 && !nested.truncated) return null;
  const why = nested.truncated ? `more than ${NESTED_SCAN_LIMIT} entries to check for embedded repositories` : `embedded git repositories: ${nested.found.slice(0, 20).join(', ')}`;
  return { kind: 'violation', reason: `${who} left ${why}; buran runs no git on a worktree that holds one`, files: nested.found.slice(0, 20) };
}
