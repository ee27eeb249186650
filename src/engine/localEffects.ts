// The composition root of real effects: git worktrees and scope locks, the
// worker supervisor and adapters, the verification gate, the built-in
// reviewer and the report. Every effect is idempotent for its input, so a
// restored run can call it again (re-attach, never re-spawn).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrashPoint } from '../chaos/crashPoints.js';
import type { RunAccess, RunEffects } from './effects.js';
import type { Clock } from './clock.js';
import { createRunScope } from './runScope.js';
import { readApprovedPacket } from './runRecords.js';
import { stackedRunReads } from './prerequisites.js';
import { checkIntake } from './intake.js';
import type { Config } from '../domain/config.js';
import { BuranError } from '../domain/errors.js';
import { secretValuesOf } from '../domain/redact.js';
import type { RunRecord } from '../domain/runRecord.js';
import { setupFailureDetails, setupFailureMessage } from '../gates/index.js';
import { createWorktreeSetup } from './worktreeSetup.js';
import { errnoCode } from '../platform/errno.js';
import type { RunStore } from '../store/port.js';
import { type AdapterRegistry, awaitAttempt, createAdapterRegistry, createCommandAdapter, dispatchAttempt, killAttempt, sharedSupervisorPool, supervisorCommand } from '../worker/index.js';
import { createAgentAdapters } from '../worker/adapters/index.js';
import { checkReviewer, createReviewGate } from './reviewGate.js';
import { redactEvidence, redactOutcome, redactingEffects, redactorOf } from './redactResults.js';
import { observeAttempt } from '../worker/observeAttempt.js';
import { createRunSweeper, sweepAttempt } from '../worker/sweepAttempt.js';
import { NESTED_SCAN_LIMIT, findNestedGitEntries } from '../workspace/nestedRepos.js';
import { RUN_TRAILER, createGitWorkspace, createScopeLocks, readBranchTip } from '../workspace/index.js';
import { BURAN_IDENTITY, userIdentity } from '../workspace/git.js';
import { resolveSandbox } from './sandboxChoice.js';
import { openRunGitTrust } from './runGitTrust.js';
import { checkProcessTable } from './processTableCheck.js';
import { performHandoff } from './handoffEffect.js';
import { createGateEffects } from './gateEffects.js';
import { createQueueAttempts, routeThroughQueue } from './queueAttempts.js'; // attempts on worker agents when a queue is configured

export interface LocalEffectsOptions {
  readonly repoRoot: string;
  readonly storeDir: string;
  readonly store: RunStore;
  readonly record: RunRecord;
  readonly config: Config;
  /** The runner's environment; only allowlisted names reach workers and verification commands. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly registry?: AdapterRegistry;
  /** Per verification command bound (ms); default: the task timeout, at most 10 minutes. */
  readonly verifyTimeoutMs?: number;
  /** Crash points (src/chaos) of the worker, workspace and handoff boundaries; omit in production. */
  readonly crash?: CrashPoint;
  /** The bwrap executable to use instead of searching the system folders (BURAN_BWRAP); omit to search. */
  readonly bwrap?: string;
  /** The run as its driver holds it now (the `run.current` the runner passes to `effectsFor`): the handoff report is built from it. */
  readonly current: RunAccess['current'];
}

/**
 * The real effects for one run: git worktrees and scope locks under `storeDir`, workers through `registry` (default: the command and agent adapters), verification commands, the built-in reviewer, the report.
 * @example
 * effectsFor: async (runId, run) => createLocalEffects({ repoRoot, storeDir, store, record: records.get(runId), config: DEFAULT_CONFIG, env: process.env, clock: systemClock, registry: createAdapterRegistry([myAdapter]), current: run.current })
 */
export async function createLocalEffects(o: LocalEffectsOptions): Promise<RunEffects> {
  const { store, record, config, env, clock } = o;
  const runId = record.runId;
  const packet = await readApprovedPacket(store, record);
  const registry = o.registry ?? createAdapterRegistry([createCommandAdapter(), ...createAgentAdapters(config, o.repoRoot)]);
  const crash = o.crash === undefined ? {} : { crash: o.crash };
  // The repository's git configuration as the run trusts it (captured before any of its workers ran): checked before every
  // git call, compared after every attempt and put back when a worker changed it (src/workspace/gitTrust.ts).
  const trust = await openRunGitTrust(o.repoRoot, store.runDir(runId), env);
  // Commits are the user's (config commits.author, else git's user.name / user.email), each naming its run in a trailer.
  const identity = config.commits.author ?? (await userIdentity(o.repoRoot, env)) ?? BURAN_IDENTITY;
  const ws = createGitWorkspace({ repoRoot: o.repoRoot, storeDir: o.storeDir, guard: { check: () => trust.guard.check(), overrides: trust.overrides }, identity, trailers: [`${RUN_TRAILER}: ${runId}`], ...crash });
  const scope = createRunScope({ scopes: createScopeLocks({ storeDir: o.storeDir }), store, runId, packet });
  const taskOf = (taskId: string) => {
    const task = packet.tasks.find((t) => t.id === taskId);
    if (task === undefined) throw new BuranError({ code: 'internal', message: `run ${runId}: unknown task ${taskId}`, details: { runId, taskId } });
    return task;
  };
  const attemptDir = (attemptId: string) => join(store.runDir(runId), 'attempts', attemptId);
  const verifyTimeoutMs = o.verifyTimeoutMs ?? Math.min(packet.limits.taskTimeoutSec, 600) * 1000;
  // Untrusted text kept in events, evidence and reports: display-safe, the runner's own secret values and token formats removed.
  const redact = redactorOf(secretValuesOf(env));
  const putEvidence = (text: string) => store.putArtifact(runId, redactEvidence(text, redact));
  // Workers, agent reviewers and verification commands run confined by one plan (src/sandbox); decided once per driver.
  const confine = await resolveSandbox({ config, packet, repoRoot: o.repoRoot, storeDir: o.storeDir, runDir: store.runDir(runId), now: clock.now(), ...(o.bwrap === undefined ? {} : { bwrap: o.bwrap }) });
  const sandbox = confine.plan === null ? {} : { sandbox: confine.plan };
  // Attempts this driver started in a PID namespace of their own are swept by their group, the others by their tag.
  const sweeper = createRunSweeper(runId, attemptDir);
  // Supervisors started ahead of their attempts, shared by the runs of this process (src/worker/supervisorPool.ts).
  const pool = sharedSupervisorPool(supervisorCommand());
  /** Fails closed: nothing runs on the worker's behalf unconfined when the policy requires a sandbox. */
  const requireSandbox = () => {
    if (confine.choice.status !== 'ok') throw new BuranError({ code: 'sandbox_unavailable', message: confine.choice.message, details: { runId, ...confine.choice.details } });
  };
  // The packet's setup: once per epoch in task and run worktrees, every time in a fresh verification checkout.
  const setups = createWorktreeSetup({
    commands: packet.setup ?? [],
    repoRoot: o.repoRoot,
    runDir: store.runDir(runId),
    envAllowlist: config.env.allowlist,
    env,
    timeoutMs: verifyTimeoutMs,
    putEvidence,
    untracked: (worktree) => ws.untrackedPaths(worktree),
    ...sandbox,
  });
  // A review quorum checks the run's spend (as its driver holds it now) before it starts each further reviewer.
  const spent = () => {
    const snap = o.current();
    if (snap === null) return Promise.reject(new BuranError({ code: 'internal', message: `run ${runId}: a review ran before its driver restored the run`, details: { runId } }));
    return Promise.resolve(snap.context.usage);
  };
  const review = createReviewGate({ registry, config, env, packet, runId, attemptsDir: join(store.runDir(runId), 'attempts'), workspace: ws, putEvidence, redact, now: () => clock.now(), spent, ...sandbox });

  // A stacked run starts from its prerequisite's recorded handoff commit (checked in state prerequisites and at every lease).
  const { prerequisites, baseRef } = stackedRunReads({ store, after: packet.after ?? [], base: packet.base, branchTip: (branch) => readBranchTip(o.repoRoot, branch) });
  const lease = async () => {
    const outcome = await ws.leaseRunWorkspace({ runId, base: await baseRef() });
    if (outcome.status !== 'acquired') throw new BuranError({ code: 'lease_lost', message: `run ${runId}: ${outcome.message}`, details: { runId, ...outcome.details } });
    return outcome.lease;
  };
  const taskTree = async (taskId: string, epoch: number, attemptId: string) => {
    // After the attempt was prepared: re-attached, never updated from the run branch again (that would change what is checked).
    const tw = await ws.taskWorkspace({ runId, taskId, epoch, attemptId, update: false });
    if (tw.status !== 'ready') {
      throw new BuranError({ code: 'integration_conflict', message: `task ${taskId}: the run branch does not merge into the task branch: ${tw.message}`, details: { runId, taskId, files: tw.files } });
    }
    return tw;
  };

  // Every refusal, failure, gate result and error the charts (and so the log and the report) keep is redacted on the way in.
  const gates = createGateEffects({ runId, packet, config, env, ws, setups, sandbox, requireSandbox, taskTree, lease, review, taskOf, putEvidence, verifyTimeoutMs });
  const handoff = () => performHandoff({ repoRoot: o.repoRoot, runId, store, packet, config, env, clock, redact, sandboxRecord: confine.record, lease, current: o.current, ...crash });

  // With a queue configured, attempts run on worker agents: their adapter's CLI is theirs to have, not this machine's.
  const queued = createQueueAttempts({ runId, runDir: store.runDir(runId), repoRoot: o.repoRoot, packet, config, env, ws, now: () => clock.now(), redact, putEvidence, setupTimeoutMs: verifyTimeoutMs });

  return redactingEffects(routeThroughQueue({
    async checkIntake() {
      return (await checkIntake(record.packetFile, record.approval.hash)).outcome;
    },

    checkPrerequisites: async () => (await prerequisites()).outcome,

    async checkAdapters() {
      const platform = checkProcessTable(); if (platform.status !== 'ok') return platform;
      if (confine.choice.status !== 'ok') return { status: 'sandbox_unavailable', message: confine.choice.message, details: confine.choice.details };
      const found = registry.resolve(packet.worker.adapter);
      if ('status' in found) return found;
      // The worker runs here only without a queue; an agent checks its own adapter when it takes the job (`unavailable`).
      if (queued === null) {
        const check = await found.adapter.check({ worker: packet.worker, config, env, workspace: o.repoRoot });
        if (!check.available) return { status: 'unavailable', message: check.message, details: check.details };
      }
      return checkReviewer({ registry, config, env, packet }, o.repoRoot);
    },

    async acquireLease() {
      const got = await scope.take();
      if (got.status === 'conflict') return got;
      const outcome = await ws.leaseRunWorkspace({ runId, base: await baseRef() });
      if (outcome.status !== 'acquired') {
        await scope.release();
        return outcome;
      }
      const dropped = got.recovered === undefined ? {} : { recovered: got.recovered };
      pool.warm(); // the first attempts start soon
      // Setup runs confined or not at all (a required sandbox that is missing blocked at preflight).
      if ((packet.setup ?? []).length > 0) requireSandbox();
      const setup = await setups.once('run', outcome.lease.worktree, 1);
      if (setup?.failed != null) {
        return { status: 'setup_failed', message: setupFailureMessage('run', setup.failed), details: { runId, ...setupFailureDetails(setup) }, setup: setup.record };
      }
      return { ...outcome, ...dropped, ...(setup === null ? {} : { setup: setup.record }) };
    },

    reacquireScope: () => scope.take(),

    async dispatchWorker({ taskId, attempt, findings }) {
      const task = taskOf(taskId);
      const prepared = await ws.taskWorkspace({ runId, taskId, epoch: attempt.epoch, attemptId: attempt.attemptId });
      if (prepared.status !== 'ready') {
        return { status: 'conflict', message: `task ${taskId}: the run branch does not merge into the task branch: ${prepared.message}`, details: { runId, taskId, files: prepared.files } };
      }
      const tw = prepared;
      if (confine.choice.status !== 'ok') return { status: 'unavailable', message: confine.choice.message, details: confine.choice.details };
      // Before the worker: the worktree holds only tracked files. Once per epoch (a re-attach finds the record and skips it).
      const where = `task ${taskId}`;
      const setup = await setups.once(where, tw.worktree, attempt.epoch);
      if (setup?.failed != null) {
        return { status: 'setup_failed', message: setupFailureMessage(where, setup.failed), details: { runId, taskId, ...setupFailureDetails(setup) }, setup: setup.record };
      }
      const started = await dispatchAttempt({
        ...sandbox,
        registry,
        config,
        worker: packet.worker,
        env,
        workspace: tw.worktree,
        attemptDir: attemptDir(attempt.attemptId),
        prompt: {
          runId,
          task: { id: task.id, title: task.title, instructions: task.instructions, acceptance: task.acceptance, scope: task.scope },
          packet: { title: packet.title, goal: packet.goal },
          attempt: { attemptId: attempt.attemptId, number: attempt.number },
          epoch: attempt.epoch,
          findings,
        },
        // The supervisor's own backstop sits past the runner's deadline, so the runner decides first.
        timeoutMs: packet.limits.taskTimeoutSec * 1000 + 60_000,
        now: () => clock.now(),
        pool,
        ...(confine.plan?.sandbox.pidNamespace === true ? { onStarted: () => sweeper.confined(attempt.attemptId) } : {}),
        ...crash,
      });
      return setup === null || started.status !== 'started' ? started : { ...started, setup: setup.record };
    },

    async awaitCompletion({ taskId, attempt, heartbeatTimeoutSec }, signal) {
      const awaited = await awaitAttempt({
        registry,
        adapter: packet.worker.adapter,
        attemptDir: attemptDir(attempt.attemptId),
        expected: { runId, taskId, attemptId: attempt.attemptId, epoch: attempt.epoch },
        deadlineAt: attempt.deadlineAt,
        heartbeatTimeoutMs: heartbeatTimeoutSec * 1000,
        now: () => clock.now(),
        signal,
        ...crash,
      });
      // The attempt has ended: nothing of it keeps running (unsandboxed, its setsid'd or double-forked descendants too).
      sweeper.sweep(attempt.attemptId);
      // Whatever the worker reported: a changed git configuration is put back first, and the attempt is a policy violation.
      const changed = await trust.restore();
      if (changed.length > 0) {
        const files = changed.map((c) => c.path);
        return { kind: 'violation', reason: `the attempt changed ${files.join(', ')} (git configuration the run trusts); put back, the changed version kept in the run folder`, files };
      }
      // An embedded repository would make buran's own git start git inside it, under config the worker wrote.
      const tree = await taskTree(taskId, attempt.epoch, attempt.attemptId);
      const nested = findNestedGitEntries(tree.worktree);
      if (nested.found.length > 0 || nested.truncated) {
        const files = nested.found.slice(0, 20);
        const why = nested.truncated ? `more than ${NESTED_SCAN_LIMIT} entries to check for embedded repositories` : `embedded git repositories: ${files.join(', ')}`;
        return { kind: 'violation', reason: `the attempt left ${why}; buran runs no git on a worktree that holds one`, files };
      }
      return redactOutcome(awaited, redact);
    },

    // One commit per attempt (its own step in the task chart); the changed files are git's, not the worker's claim.
    async commitAttempt({ taskId, attempt, summary }) {
      const tw = await taskTree(taskId, attempt.epoch, attempt.attemptId);
      // What setup made (installed dependencies, a linked folder, a copied .env) is never part of the attempt.
      const exclude = await setups.outputs(tw.worktree, attempt.epoch);
      const commit = await ws.commitAttempt({ worktree: tw.worktree, attemptId: attempt.attemptId, message: `${taskId}: ${summary.split('\n')[0] ?? ''}`, exclude });
      return commit.committed ? { status: 'committed', commit: commit.commit, changedFiles: commit.changedFiles } : { status: 'unchanged' };
    },

    runTaskVerification: gates.runTaskVerification,
    runTaskReview: gates.runTaskReview,

    async mergeTask({ taskId, epoch, attemptId }) {
      const tw = await taskTree(taskId, epoch, attemptId);
      const runLease = await lease();
      return ws.mergeTaskIntoRun({ runWorktree: runLease.worktree, taskBranch: tw.branch, taskId, epoch });
    },

    runVerification: gates.runVerification,
    runReview: gates.runReview,
    checkApprovals: gates.checkApprovals,
    performHandoff: () => handoff(),

    async releaseLease() {
      await scope.release();
      await ws.releaseRunWorkspace(runId);
    },

    releaseScope: () => scope.release(),

    observeCompletions(attempts) {
      const seen: { attemptId: string; digest: string }[] = [];
      for (const { taskId, attemptId, epoch } of attempts) {
        const digest = observeAttempt(attemptDir(attemptId), registry, packet.worker.adapter, { runId, taskId, attemptId, epoch });
        if (digest !== null) seen.push({ attemptId, digest });
      }
      return Promise.resolve(seen);
    },

    async cancelWorkers() {
      const dir = join(store.runDir(runId), 'attempts');
      // No attempts folder yet: nothing was ever started. Any other error must surface (a worker could be left spending).
      const attempts = await readdir(dir).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return [] as string[];
        throw error;
      });
      for (const name of attempts) {
        await killAttempt(join(dir, name), {});
        sweepAttempt(runId, name, join(dir, name));
      }
    },
  }, queued), redact);
}
