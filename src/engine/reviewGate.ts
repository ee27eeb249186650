// The review gate of the real effects: the built-in rules, then, when the
// packet names a reviewer adapter, that adapter as an agent reviewer run
// under the worker supervisor (src/gates/agentReviewer.ts).
import { join } from 'node:path';
import type { PreflightOutcome } from '../../machines/run.types.js';
import type { Config } from '../domain/config.js';
import type { GateResult } from '../domain/gates.js';
import type { Packet, PacketTask } from '../domain/packet.js';
import { agentReview } from '../gates/agentReviewer.js';
import type { AdapterRegistry } from '../worker/adapter.js';
import { runReviewAttempt } from '../worker/reviewAttempt.js';
import { git } from '../workspace/index.js';

export const BUILTIN_REVIEWER = 'builtin';

export interface ReviewGateOptions {
  readonly registry: AdapterRegistry;
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly packet: Packet;
  readonly runId: string;
  /** `<runDir>/attempts`: reviewer runs live beside the worker attempts, so cancelling a run ends them too. */
  readonly attemptsDir: string;
  readonly putEvidence: (text: string) => Promise<string>;
  readonly now: () => number;
}

export interface ReviewRequest {
  readonly subject: 'task' | 'integration';
  readonly taskId?: string;
  readonly epoch: number;
  readonly worktree: string;
  /** The ref the change is measured from. */
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

/** The review of one change: the built-in verdict as is, or with the agent reviewer's verdict on top. */
export function createReviewGate(o: ReviewGateOptions): (request: ReviewRequest) => Promise<GateResult> {
  const reviewer = o.packet.review.reviewer;
  return async (request) => {
    if (reviewer === BUILTIN_REVIEWER) return request.builtin;
    const key = `review.${request.taskId ?? 'run'}.e${request.epoch}`;
    const diff = await git(request.worktree, ['diff', '--no-color', '--no-ext-diff', request.base, '--']);
    return agentReview({
      builtin: request.builtin,
      reviewer,
      dirPrefix: join(o.attemptsDir, key),
      prompt: {
        subject: request.subject,
        epoch: request.epoch,
        packet: { title: o.packet.title, goal: o.packet.goal },
        tasks: request.tasks,
        verification: o.packet.verify,
        builtinSummary: request.builtin.summary,
        diff: diff.exitCode === 0 ? diff.stdout : `(git diff failed: ${diff.stderr.trim()})`,
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
        }),
      workspaceState: async () => {
        const head = await git(request.worktree, ['rev-parse', 'HEAD']);
        const status = await git(request.worktree, ['status', '--porcelain=v1', '-uall']);
        return `${head.stdout.trim()}\n${status.stdout}`;
      },
      putEvidence: o.putEvidence,
    });
  };
}
