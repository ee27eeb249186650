// The review gate of the real effects: the built-in rules, then, when the
// packet names a reviewer adapter, that adapter as an agent reviewer run
// under the worker supervisor (src/gates/agentReviewer.ts).
import { join } from 'node:path';
import type { PreflightOutcome } from '../../machines/run.types.js';
import type { Config } from '../domain/config.js';
import { isBuranError } from '../domain/errors.js';
import type { GateResult } from '../domain/gates.js';
import type { Packet, PacketTask } from '../domain/packet.js';
import { agentReview } from '../gates/agentReviewer.js';
import type { AdapterRegistry } from '../worker/adapter.js';
import { runReviewAttempt } from '../worker/reviewAttempt.js';
import type { SandboxPlan } from '../sandbox/index.js';
import type { Workspace } from '../workspace/index.js';
import { redactGate } from './redactResults.js';

export const BUILTIN_REVIEWER = 'builtin';

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

/** Whether the packet's reviewer can run here: `builtin`, or a known adapter that reports results and passes its check. */
export async function checkReviewer(o: Pick<ReviewGateOptions, 'registry' | 'config' | 'env' | 'packet'>, workspace: string): Promise<PreflightOutcome> {
  const name = o.packet.review.reviewer;
  if (name === BUILTIN_REVIEWER) return { status: 'ok' };
  const found = o.registry.resolve(name);
  if ('status' in found) return { status: 'unavailable', message: `reviewer: ${found.message}`, details: { reviewer: name, ...found.details } };
  if (found.adapter.parseResult === undefined) {
    return { status: 'unavailable', message: `reviewer "${name}": this adapter reports no result to read a verdict from`, details: { reviewer: name } };
  }
  const check = await found.adapter.check({ worker: { adapter: name }, config: o.config, env: o.env, workspace });
  return check.available ? { status: 'ok' } : { status: 'unavailable', message: `reviewer: ${check.message}`, details: { reviewer: name, ...check.details } };
}

/** The folder of one review try: `review.<attemptId|run>.e<epoch>.t<n>`. */
export function reviewDirName(request: Pick<ReviewRequest, 'attemptId' | 'epoch' | 'tryNumber'>): string {
  return `review.${request.attemptId ?? 'run'}.e${request.epoch}.t${request.tryNumber}`;
}

/** The review of one change: the built-in verdict as is, or with the agent reviewer's verdict on top; reviewer text redacted. */
export function createReviewGate(o: ReviewGateOptions): (request: ReviewRequest) => Promise<GateResult> {
  const reviewer = o.packet.review.reviewer;
  return async (request) => {
    const { builtin } = request;
    if (reviewer === BUILTIN_REVIEWER || builtin.status !== 'PASS' || builtin.policyViolations.length > 0) return builtin;
    const diff = await diffOf(o, request);
    if ('problem' in diff) return { ...builtin, status: 'BLOCKED', summary: `${builtin.summary}; agent reviewer ${reviewer}: not asked, the diff cannot be read: ${o.redact(diff.problem)}`, findings: [] };
    const gate = await agentReview({
      builtin,
      reviewer,
      dir: join(o.attemptsDir, reviewDirName(request)),
      prompt: {
        subject: request.subject,
        epoch: request.epoch,
        packet: { title: o.packet.title, goal: o.packet.goal },
        tasks: request.tasks,
        verification: o.packet.verify,
        builtinSummary: builtin.summary,
        diff: diff.text,
      },
      run: (dir, prompt) =>
        runReviewAttempt({
          registry: o.registry,
          config: o.config,
          env: o.env,
          adapter: reviewer,
          workspace: request.worktree,
          dir,
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
    return redactGate(gate, o.redact);
  };
}

/** The change under review, or why git could not produce it (a lost lease still throws: the run must hear it). */
async function diffOf(o: ReviewGateOptions, request: ReviewRequest): Promise<{ text: string } | { problem: string }> {
  try {
    return { text: await o.workspace.diffSince(request.worktree, request.base) };
  } catch (error) {
    if (isBuranError(error) && error.code === 'lease_lost') throw error;
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}
