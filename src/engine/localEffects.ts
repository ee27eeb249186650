// The composition root of real effects: git worktrees and scope locks, the
// worker supervisor and adapters, the verification gate, the built-in
// reviewer and the report. Every effect is idempotent for its input, so a
// restored run can call it again (re-attach, never re-spawn).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrashPoint } from '../chaos/crashPoints.js';
import type { RunEffects } from './effects.js';
import type { Clock } from './clock.js';
import { buildReport, reportMarkdown } from './report.js';
import { restoredView } from './runner.js';
import { createRunScope } from './runScope.js';
import { checkPrerequisiteRuns, stackedBase } from './prerequisites.js';
import { checkIntake } from './intake.js';
import type { Config } from '../domain/config.js';
import { BuranError, isBuranError } from '../domain/errors.js';
import { EventRecordSchema } from '../domain/events.js';
import { PacketSchema, type Packet } from '../domain/packet.js';
import { secretValuesOf } from '../domain/redact.js';
import type { RunRecord } from '../domain/runRecord.js';
import { SnapshotDocSchema } from '../domain/snapshotDoc.js';
import { builtinReview, runVerification, setupBlockedGate, setupEvidenceRefs, setupFailureDetails, setupFailureMessage, verificationDefinitions } from '../gates/index.js';
import { createWorktreeSetup } from './worktreeSetup.js';
import { errnoCode } from '../platform/errno.js';
import type { RunStore } from '../store/port.js';
import { type AdapterRegistry, awaitAttempt, createAdapterRegistry, createCommandAdapter, dispatchAttempt, killAttempt } from '../worker/index.js';
import { createAgentAdapters } from '../worker/adapters/index.js';
import { checkReviewer, createReviewGate } from './reviewGate.js';
import { gatherReasons } from './reasons.js';
import { runChanges } from './changes.js';
import { redactEvidence, redactOutcome, redactingEffects, redactorOf } from './redactResults.js';
import { observeAttempt } from '../worker/observeAttempt.js';
import { sweepAttempt } from '../worker/sweepAttempt.js';
import { NESTED_SCAN_LIMIT, findNestedGitEntries } from '../workspace/nestedRepos.js';
import { openPullRequest } from '../handoff/pullRequest.js';
import { type CleanCheckout, RUN_TRAILER, createGitWorkspace, createScopeLocks, readBranchTip } from '../workspace/index.js';
import { BURAN_IDENTITY, userIdentity } from '../workspace/git.js';
import type { GateResult } from '../domain/gates.js';
import type { SetupResult } from '../gates/setup.js';
import { resolveSandbox } from './sandboxChoice.js';
import { openRunGitTrust } from './runGitTrust.js';
import { checkProcessTable } from './processTableCheck.js';

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
}

/** The gate with the commit and tree it ran on. */
function verifiedOn(checkout: CleanCheckout, gate: GateResult): GateResult {
  return { ...gate, checked: { commit: checkout.commit, tree: checkout.tree } };
}

/** The setup commands that ran before a verification, as the first of its evidence. */
function withSetupEvidence(setup: SetupResult | null, gate: GateResult): GateResult {
  if (setup === null) return gate;
  return { ...gate, evidence: [...setupEvidenceRefs(setup.record), ...gate.evidence] };
}

/** The approved packet, from the copy stored at approval (the file may have changed since; intake checks that). */
async function approvedPacket(store: RunStore, record: RunRecord): Promise<Packet> {
  const bytes = await store.getArtifact(record.runId, record.approval.hash);
  const parsed = PacketSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  if (!parsed.success) {
    throw new BuranError({ code: 'store_corrupt', message: `run ${record.runId}: the approved packet copy does not parse`, details: { runId: record.runId, hash: record.approval.hash } });
  }
  return parsed.data;
}

/**
 * The real effects for one run: git worktrees and scope locks under `storeDir`, workers through `registry` (default: the command and agent adapters), verification commands, the built-in reviewer, the report.
 * @example
 * effectsFor: async (runId) => createLocalEffects({ repoRoot, storeDir, store, record: records.get(runId), config: DEFAULT_CONFIG, env: process.env, clock: systemClock, registry: createAdapterRegistry([myAdapter]) })
 */
export async function createLocalEffects(o: LocalEffectsOptions): Promise<RunEffects> {
  const { store, record, config, env, clock } = o;
  const runId = record.runId;
  const packet = await approvedPacket(store, record);
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
  const protectedPaths = [...config.policy.protectedPaths, ...(packet.policy?.protectedPaths ?? [])];
  const verifyDefinitions = verificationDefinitions(packet.verify);
  const verifyTimeoutMs = o.verifyTimeoutMs ?? Math.min(packet.limits.taskTimeoutSec, 600) * 1000;
  // Untrusted text kept in events, evidence and reports: display-safe, the runner's own secret values and token formats removed.
  const redact = redactorOf(secretValuesOf(env));
  const putEvidence = (text: string) => store.putArtifact(runId, redactEvidence(text, redact));
  // Workers, agent reviewers and verification commands run confined by one plan (src/sandbox); decided once per driver.
  const confine = await resolveSandbox({ config, packet, repoRoot: o.repoRoot, storeDir: o.storeDir, runDir: store.runDir(runId), now: clock.now(), ...(o.bwrap === undefined ? {} : { bwrap: o.bwrap }) });
  const sandbox = confine.plan === null ? {} : { sandbox: confine.plan };
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
  const review = createReviewGate({ registry, config, env, packet, runId, attemptsDir: join(store.runDir(runId), 'attempts'), workspace: ws, putEvidence, redact, now: () => clock.now(), ...sandbox });

  // Operator retries recorded for the run (pause and resume are not retries). A retry is applied and saved before
  // a driver resumes the run, so the saved count is current; a restart reads the same count and re-attaches to the same review try.

  // A stacked run starts from its prerequisite's recorded handoff commit (checked in state prerequisites; a handed-off run's record never changes).
  const prerequisites = () => checkPrerequisiteRuns(packet.after ?? [], { readSnapshot: (id) => store.readSnapshot(id), branchTip: (branch) => readBranchTip(o.repoRoot, branch) });
  const prerequisite = packet.after?.[0];
  const baseRef = (): Promise<string> => (prerequisite === undefined ? Promise.resolve(packet.base) : stackedBase(prerequisite, (id) => store.readSnapshot(id)));
  const lease = async () => {
    const outcome = await ws.leaseRunWorkspace({ runId, base: await baseRef() });
    if (outcome.status !== 'acquired') throw new BuranError({ code: 'lease_lost', message: `run ${runId}: ${outcome.message}`, details: { runId, ...outcome.details } });
    return outcome.lease;
  };
  const taskTree = async (taskId: string, epoch: number, attemptId: string) => {
    const tw = await ws.taskWorkspace({ runId, taskId, epoch, attemptId });
    if (tw.status !== 'ready') {
      throw new BuranError({ code: 'integration_conflict', message: `task ${taskId}: the run branch does not merge into the task branch: ${tw.message}`, details: { runId, taskId, files: tw.files } });
    }
    return tw;
  };

  // Every refusal, failure, gate result and error the charts (and so the log and the report) keep is redacted on the way in.
  return redactingEffects({
    async checkIntake() {
      return (await checkIntake(record.packetFile, record.approval.hash)).outcome;
    },

    checkPrerequisites: async () => (await prerequisites()).outcome,

    async checkAdapters() {
      const platform = checkProcessTable(); if (platform.status !== 'ok') return platform;
      if (confine.choice.status !== 'ok') return { status: 'sandbox_unavailable', message: confine.choice.message, details: confine.choice.details };
      const found = registry.resolve(packet.worker.adapter);
      if ('status' in found) return found;
      const check = await found.adapter.check({ worker: packet.worker, config, env, workspace: o.repoRoot });
      if (!check.available) return { status: 'unavailable', message: check.message, details: check.details };
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
      sweepAttempt(runId, attempt.attemptId, attemptDir(attempt.attemptId));
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
      const outcome = redactOutcome(awaited, redact);
      if (outcome.kind !== 'completion' || outcome.status !== 'completed') return outcome;
      // One commit per attempt; the changed files are git's, not the worker's claim.
      const tw = tree;
      // What setup made (installed dependencies, a linked folder, a copied .env) is never part of the attempt.
      const exclude = await setups.outputs(tw.worktree, attempt.epoch);
      const commit = await ws.commitAttempt({ worktree: tw.worktree, attemptId: attempt.attemptId, message: `${taskId}: ${outcome.summary.split('\n')[0] ?? ''}`, exclude });
      return { ...outcome, changedFiles: commit.committed ? commit.changedFiles : [] };
    },

    async runTaskVerification({ taskId, epoch, attemptId }) {
      requireSandbox();
      const tw = await taskTree(taskId, epoch, attemptId);
      // On a clean checkout of the commit that will be merged: nothing the worker left untracked or ignored takes part.
      const checkout = await ws.cleanCheckout({ runId, name: `task-${taskId}`, worktree: tw.worktree });
      const setup = await setups.fresh(`verify task-${taskId}`, checkout.path);
      if (setup?.failed != null) return verifiedOn(checkout, setupBlockedGate(setup, { subject: 'task', taskId, epoch }));
      return withSetupEvidence(setup, verifiedOn(checkout, await runVerification({ ...sandbox, commands: packet.verify, cwd: checkout.path, envAllowlist: config.env.allowlist, envSource: env, subject: 'task', taskId, epoch, timeoutMs: verifyTimeoutMs, putEvidence })));
    },

    async runTaskReview({ taskId, epoch, attemptId, grants }) {
      requireSandbox();
      const tw = await taskTree(taskId, epoch, attemptId);
      const base = `buran/${runId}`;
      const builtin = builtinReview({
        subject: 'task',
        taskId,
        epoch,
        attemptKind: epoch > 1 ? 'fix' : 'implementation',
        changedFiles: await ws.changedFilesSince(tw.worktree, base),
        diffLines: await ws.diffLinesSince(tw.worktree, base),
        task: { scope: taskOf(taskId).scope },
        protectedPaths,
        verifyDefinitions,
      });
      return review({ subject: 'task', taskId, attemptId, epoch, tryNumber: grants + 1, worktree: tw.worktree, base, builtin, tasks: [taskOf(taskId)] });
    },

    async mergeTask({ taskId, epoch, attemptId }) {
      const tw = await taskTree(taskId, epoch, attemptId);
      const runLease = await lease();
      return ws.mergeTaskIntoRun({ runWorktree: runLease.worktree, taskBranch: tw.branch, taskId, epoch });
    },

    async runVerification({ epoch }) {
      requireSandbox();
      const runLease = await lease();
      const checkout = await ws.cleanCheckout({ runId, name: 'run', worktree: runLease.worktree });
      const setup = await setups.fresh('verify run', checkout.path);
      if (setup?.failed != null) return verifiedOn(checkout, setupBlockedGate(setup, { subject: 'integration', epoch }));
      return withSetupEvidence(setup, verifiedOn(checkout, await runVerification({ ...sandbox, commands: packet.verify, cwd: checkout.path, envAllowlist: config.env.allowlist, envSource: env, subject: 'integration', epoch, timeoutMs: verifyTimeoutMs, putEvidence })));
    },

    async runReview({ epoch, retries }) {
      requireSandbox();
      const runLease = await lease();
      const builtin = builtinReview({
        subject: 'integration',
        epoch,
        attemptKind: 'implementation',
        changedFiles: await ws.changedFilesSince(runLease.worktree, runLease.baseCommit),
        diffLines: await ws.diffLinesSince(runLease.worktree, runLease.baseCommit),
        task: { scope: [...new Set(packet.tasks.flatMap((t) => t.scope))] },
        protectedPaths,
        verifyDefinitions,
      });
      return review({ subject: 'integration', epoch, tryNumber: retries + 1, worktree: runLease.worktree, base: runLease.baseCommit, builtin, tasks: packet.tasks });
    },

    async performHandoff() {
      try {
        const runLease = await lease();
        // The handoff is this commit, read once: recorded, reported and (with a pull request) pushed by id,
        // so a branch moved from here on is noticed later (handoff_moved) and never pushed in its place.
        const tip = await readBranchTip(o.repoRoot, runLease.branch);
        if (tip === null) return { status: 'failed', message: `the run branch ${runLease.branch} does not exist`, details: { runId, branch: runLease.branch } };
        const doc = SnapshotDocSchema.parse(await store.readSnapshot(runId));
        const events = (await store.readEvents(runId)).map((e) => EventRecordSchema.parse(e));
        const snap = restoredView(doc.snapshot);
        const reasons = await gatherReasons(snap, null, { runId, getArtifact: (id, hash) => store.getArtifact(id, hash), runDir: store.runDir(runId), redact });
        const changes = await runChanges(o.repoRoot, snap, { base: runLease.baseCommit, branch: runLease.branch, commit: tip.commit }, redact);
        const report = buildReport(snap, events, { packetId: packet.id, title: packet.title, headCommit: tip.commit, headTree: tip.tree }, null, confine.record, { reasons, changes });
        const reportHash = await store.putArtifact(runId, reportMarkdown(report));
        await store.putArtifact(runId, JSON.stringify(report, null, 2));
        o.crash?.('handoff.after-report');
        // Only when policy enables it for the origin's repository; intent recorded first, an open one is updated.
        const handoffDir = join(store.runDir(runId), 'handoff');
        const pr = await openPullRequest({
          policy: config.policy.pullRequest,
          repoRoot: o.repoRoot,
          branch: runLease.branch,
          commit: tip.commit,
          base: packet.base,
          title: packet.title,
          body: reportMarkdown(report),
          bodyFile: join(handoffDir, 'pull-request-body.md'),
          intentFile: join(handoffDir, 'pull-request-intent.json'),
          env,
          now: clock.now(),
        });
        if (pr.status === 'failed') return { status: 'failed', message: pr.message, details: { runId, ...pr.details } };
        return { status: 'done', handoff: { branch: runLease.branch, commit: tip.commit, tree: tip.tree, reportHash, pullRequest: pr.status === 'skipped' ? null : pr.url } };
      } catch (error) {
        // A lost lease is the run's to handle (LEASE_LOST, see bindEffects), not a failed handoff.
        if (isBuranError(error) && error.code === 'lease_lost') throw error;
        return { status: 'failed', message: error instanceof Error ? error.message : String(error), details: { runId } };
      }
    },

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
  }, redact);
}
