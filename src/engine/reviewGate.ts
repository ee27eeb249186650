// The review gate of the real effects: the built-in rules, then, when the
// packet names a reviewer adapter, that adapter as an agent reviewer run
// under the worker supervisor (src/gates/agentReviewer.ts).
import { join } from 'node:path';
import type { PreflightOutcome } from '../../machines/run.types.js';
import type { Config } from '../domain/config.js';
import { isBuranError } from '../domain/errors.js';
import type { GateResult } from '../domain/gates.js';
import { BUILTIN_REVIEWER, type Packet, type PacketTask, reviewPlan } from '../domain/packet.js';
import type { Usage } from '../domain/usage.js';
import { agentReview } from '../gates/agentReviewer.js';
import type { AdapterRegistry, PacketWorker } from '../worker/adapter.js';
import { runReviewAttempt } from '../worker/reviewAttempt.js';
import type { SandboxPlan } from '../sandbox/index.js';
import type { Workspace } from '../workspace/index.js';
import { redactGate } from './redactResults.js';
import { quorumReview } from './reviewQuorum.js';


export interface ReviewGateOptions {
  readonly registry: AdapterRegistry;
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly packet: Packet;
  readonly runId: string;
  /** `<runDir>/attempts`: reviewer runs live beside the worker attempts, so cancelling a run ends them too. */
  readonly attemptsDir: string;
  /** The diff the reviewer reads and the before/after fingerprint come from the workspace port. */
  readonly workspace: Pick<Workspace, 'diffSince' | 'stateOf'>;
  readonly putEvidence: (text: string) => Promise<string>;
  /** Removes secrets from reviewer text (see redactResults.ts). */
  readonly redact: (text: string) => string;
  readonly now: () => number;
  /** How the agent reviewer is confined; omit to run it unconfined. */
  readonly sandbox?: SandboxPlan;
  /** The run's recorded spend so far: a quorum starts no further reviewer once it, with the reviewers' spend, is past the budget. Default: nothing spent. */
  readonly spent?: () => Promise<Usage>;
}

export interface ReviewRequest {
  readonly subject: 'task' | 'integration';
  readonly taskId?: string;
  /** The task attempt whose work is reviewed (task reviews): a later attempt of the same epoch gets its own review. */
  readonly attemptId?: string;
  readonly epoch: number;
  /** 1 + the operator retries that led back to this review: a restart asks with the same number, a retry with a new one. */
  readonly tryNumber: number;
  readonly worktree: string;
  /** The ref the change is measured from (its fork point, as for the built-in reviewer). */
  readonly base: string;
  readonly builtin: GateResult;
  readonly tasks: readonly PacketTask[];
}

/** Whether the packet's reviewers can run here: `builtin`, or known adapters that report results and pass their check. */
export async function checkReviewer(o: Pick<ReviewGateOptions, 'registry' | 'config' | 'env' | 'packet'>, workspace: string): Promise<PreflightOutcome> {
  for (const reviewer of reviewPlan(o.packet.review).reviewers) {
    const checked = await checkOneReviewer(o, reviewer, workspace);
    if (checked.status !== 'ok') return checked;
  }
  return { status: 'ok' };
}

async function checkOneReviewer(o: Pick<ReviewGateOptions, 'registry' | 'config' | 'env'>, reviewer: PacketWorker & { name: string }, workspace: string): Promise<PreflightOutcome> {
  const { adapter, name } = reviewer;
  if (adapter === BUILTIN_REVIEWER) return { status: 'ok' };
  const what = name === adapter ? `reviewer "${name}"` : `reviewer "${name}" (${adapter})`;
  const found = o.registry.resolve(adapter);
  if ('status' in found) return { status: 'unavailable', message: `${what}: ${found.message}`, details: { reviewer: name, ...found.details } };
  if (found.adapter.parseResult === undefined) {
    return { status: 'unavailable', message: `${what}: this adapter reports no result to read a verdict from`, details: { reviewer: name } };
  }
  const { name: _name, ...worker } = reviewer;
  const check = await found.adapter.check({ worker, config: o.config, env: o.env, workspace });
  return check.available ? { status: 'ok' } : { status: 'unavailable', message: `${what}: ${check.message}`, details: { reviewer: name, ...check.details } };
}

/** The folder of one review try: `review.<attemptId|run>.e<epoch>.t<n>`. */
export function reviewDirName(request: Pick<ReviewRequest, 'attemptId' | 'epoch' | 'tryNumber'>): string {
  return `review.${request.attemptId ?? 'run'}.e${request.epoch}.t${request.tryNumber}`;
}

/** The review of one change: the built-in verdict as is, or with the agent reviewer's (or a quorum's) verdict on top; reviewer text redacted. */
export function createReviewGate(o: ReviewGateOptions): (request: ReviewRequest) => Promise<GateResult> {
  const reviewer = o.packet.review.reviewer;
  return async (request) => {
    const { builtin } = request;
    if (o.packet.review.reviewers !== undefined) return redactGate(await quorumReview(o, request), o.redact);
    if (reviewer === BUILTIN_REVIEWER || builtin.status !== 'PASS' || builtin.policyViolations.length > 0) return builtin;
    const diff = await diffOf(o, request);
    if ('problem' in diff) return { ...builtin, status: 'BLOCKED', summary: `${builtin.summary}; agent reviewer ${reviewer}: not asked, the diff cannot be read: ${o.redact(diff.problem)}`, findings: [] };
    return redactGate(await askReviewer(o, request, { adapter: reviewer }, join(o.attemptsDir, reviewDirName(request)), diff.text), o.redact);
  };
}

/** One adapter reviewer's gate for a change (built-in evidence included), recorded in `dir`: asked once, re-read after a restart. */
export function askReviewer(o: ReviewGateOptions, request: ReviewRequest, worker: PacketWorker, dir: string, diff: string, name = worker.adapter): Promise<GateResult> {
  const { builtin } = request;
  return agentReview({
    builtin,
    reviewer: name,
    dir,
    prompt: {
      subject: request.subject,
      epoch: request.epoch,
      packet: { title: o.packet.title, goal: o.packet.goal },
      tasks: request.tasks,
      verification: o.packet.verify,
      builtinSummary: builtin.summary,
      diff,
    },
    run: (folder, prompt) =>
      runReviewAttempt({
        registry: o.registry,
        config: o.config,
        env: o.env,
        adapter: worker.adapter,
        worker,
        workspace: request.worktree,
        dir: folder,
        prompt,
        runId: o.runId,
        taskId: request.taskId ?? 'run',
        epoch: request.epoch,
        timeoutMs: o.packet.limits.taskTimeoutSec * 1000,
        heartbeatTimeoutMs: o.packet.limits.heartbeatTimeoutSec * 1000,
        now: o.now,
        ...(o.sandbox === undefined ? {} : { sandbox: o.sandbox }),
      }),
    workspaceState: () => o.workspace.stateOf(request.worktree),
    putEvidence: o.putEvidence,
    redact: o.redact,
  });
}

/** The change under review, or why git could not produce it (a lost lease still throws: the run must hear it). */
export async function diffOf(o: ReviewGateOptions, request: ReviewRequest): Promise<{ text: string } | { problem: string }> {
  try {
    return { text: await o.workspace.diffSince(request.worktree, request.base) };
  } catch (error) {
    if (isBuranError(error) && error.code === 'lease_lost') throw error;
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}
