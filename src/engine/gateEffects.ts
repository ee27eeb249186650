// The gate effects of a run: verification on a clean checkout of the commit
// that will be merged (after the packet's setup there), and review (the
// built-in reviewer first, then the agent reviewers), for a task and for the
// run's integration. Bound by localEffects.ts.
import type { AddedDependencies, LeaseInfo } from '../../machines/run.types.js';
import type { Config } from '../domain/config.js';
import type { GateResult } from '../domain/gates.js';
import type { Packet, PacketTask } from '../domain/packet.js';
import { addedDependencies, approvalsFor, asksAboutDependencies, builtinReview, manifestKind, runVerification, setupBlockedGate, setupEvidenceRefs, verificationDefinitions } from '../gates/index.js';
import type { SetupResult } from '../gates/setup.js';
import type { CleanCheckout, Workspace } from '../workspace/index.js';
import type { RunEffects } from './effects.js';
import type { createReviewGate } from './reviewGate.js';
import type { createWorktreeSetup } from './worktreeSetup.js';

/** A manifest larger than this is not read for the dependencies it adds: it counts as unreadable (the gate applies). */
const MANIFEST_MAX_BYTES = 1024 * 1024;

export interface GateEffectsDeps {
  readonly runId: string;
  readonly packet: Packet;
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly ws: Workspace;
  readonly setups: ReturnType<typeof createWorktreeSetup>;
  /** The confinement verification commands run under (none when the run is unsandboxed). */
  readonly sandbox: Pick<Parameters<typeof runVerification>[0], 'sandbox'>;
  /** Throws sandbox_unavailable when the policy requires a sandbox that cannot be set up. */
  readonly requireSandbox: () => void;
  readonly taskTree: (taskId: string, epoch: number, attemptId: string) => Promise<{ readonly worktree: string }>;
  readonly lease: () => Promise<LeaseInfo>;
  readonly review: ReturnType<typeof createReviewGate>;
  readonly taskOf: (taskId: string) => PacketTask;
  readonly putEvidence: (text: string) => Promise<string>;
  readonly verifyTimeoutMs: number;
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

/**
 * The gate effects of one run (and which approval gates its change calls for).
 * @example
 * const gates = createGateEffects({ runId, packet, config, env, ws, setups, sandbox, requireSandbox, taskTree, lease, review, taskOf, putEvidence, verifyTimeoutMs });
 * const verdict = await gates.runTaskReview({ runId, taskId: 'a', epoch: 1, attemptId: 'a.1', grants: 0 });
 */
export function createGateEffects(d: GateEffectsDeps): Pick<RunEffects, 'runTaskVerification' | 'runTaskReview' | 'runVerification' | 'runReview' | 'checkApprovals'> {
  const { runId, packet, config, env, ws, setups, sandbox, requireSandbox, taskTree, lease, review, taskOf, putEvidence, verifyTimeoutMs } = d;
  const protectedPaths = [...config.policy.protectedPaths, ...(packet.policy?.protectedPaths ?? [])];
  const verifyDefinitions = verificationDefinitions(packet.verify);
  return {
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
    const changes = await ws.changesSince(tw.worktree, base);
    const builtin = builtinReview({
      subject: 'task',
      taskId,
      epoch,
      attemptKind: epoch > 1 ? 'fix' : 'implementation',
      changedFiles: changes.changedFiles,
      diffLines: changes.diffLines,
      task: { scope: taskOf(taskId).scope },
      protectedPaths,
      verifyDefinitions,
    });
    return review({ subject: 'task', taskId, attemptId, epoch, tryNumber: grants + 1, worktree: tw.worktree, base, builtin, tasks: [taskOf(taskId)] });
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
    const changes = await ws.changesSince(runLease.worktree, runLease.baseCommit);
    const builtin = builtinReview({
      subject: 'integration',
      epoch,
      attemptKind: 'implementation',
      changedFiles: changes.changedFiles,
      diffLines: changes.diffLines,
      task: { scope: [...new Set(packet.tasks.flatMap((t) => t.scope))] },
      protectedPaths,
      verifyDefinitions,
    });
    return review({ subject: 'integration', epoch, tryNumber: retries + 1, worktree: runLease.worktree, base: runLease.baseCommit, builtin, tasks: packet.tasks });
  },

  async checkApprovals() {
    const gates = packet.policy?.approvals ?? [];
    if (gates.length === 0) return { pending: [], skipped: [] };
    const runLease = await lease();
    const changed = await ws.changedFilesSince(runLease.worktree, runLease.baseCommit);
    const dependencies: AddedDependencies[] = [];
    // Manifests are read only when a gate asks about dependencies (two git processes per changed manifest side).
    for (const file of asksAboutDependencies(gates) ? changed.filter((f) => manifestKind(f.path) !== null) : []) {
      const sides = await ws.fileSinceFork(runLease.worktree, runLease.baseCommit, file, MANIFEST_MAX_BYTES).catch((error: unknown) => ({ error }));
      const added = 'error' in sides ? { manifest: file.path, added: [], unreadable: `${file.path} could not be read: ${(sides.error as Error).message}` } : addedDependencies(file.path, sides.before, sides.after);
      if (added !== null) dependencies.push(added);
    }
    return approvalsFor(gates, { changedFiles: changed.map((f) => f.path), dependencies, pullRequest: config.policy.pullRequest.enabled });
  },
  };
}
