import * as z from 'zod';
import { OPERATOR_DECISIONS, type OperatorDecision } from './decisions.js';

export { OPERATOR_DECISIONS, type OperatorDecision };

interface BlockerCodeEntry {
  /** One line: what this code means. */
  readonly meaning: string;
  /** Next safe action in words; `{runId}` is substituted. */
  readonly action: string;
  /** The exact command for the next safe action, when there is one; `{runId}` is substituted. */
  readonly command: string | null;
  /** Operator decisions the run chart accepts while blocked with this code. */
  readonly decisions: readonly OperatorDecision[];
}

const STOP_ONLY = ['cancel', 'abandon'] as const;
const RETRYABLE = ['retry', 'cancel', 'abandon'] as const;

/**
 * The blocker codes. Codes are stable public API: never rename or reuse one;
 * add new codes at the end.
 * @example
 * BLOCKER_CODES.lease_conflict.decisions; // the decisions an operator may take for it
 */
export const BLOCKER_CODES = {
  plan_insufficient: {
    meaning: 'The packet is not sufficient to act on (shape or sufficiency checks failed).',
    action: 'Fix the problems listed in details, then validate and approve the packet again as a new run.',
    command: 'buran validate <packet>',
    decisions: STOP_ONLY,
  },
  packet_tampered: {
    meaning: 'The packet changed after it was approved (content hash differs).',
    action: 'Review the change; if intended, approve the packet again as a new run.',
    command: 'buran approve <packet>',
    decisions: STOP_ONLY,
  },
  lease_conflict: {
    meaning: "The run's scope overlaps the scope held by another run, or its workspace cannot be leased.",
    action: 'Wait for the other run to finish or cancel it, then retry this run.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  lease_lost: {
    meaning: "The run's workspace lease expired or was taken while the run held it.",
    action: 'Check the workspace is intact, then retry to take the lease again.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  adapter_unavailable: {
    meaning: 'The worker or reviewer adapter is unknown or its executable cannot be found.',
    action: 'Install the worker CLI or fix worker.adapter / worker.command, then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  sandbox_unavailable: {
    meaning: 'The sandbox policy is "required" and bubblewrap cannot be set up on this machine, so no worker was started.',
    action: 'Install bubblewrap (apt-get install bubblewrap) or enable user namespaces, check with `bwrap --ro-bind / / true`, then retry; or set sandbox.mode to "auto" or "none" in .buran/config.json for trusted workers.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  completion_missing: {
    meaning: 'A worker ended without a completion and the attempts for this epoch are used up.',
    action: "Read the attempt's stdout/stderr in the run folder, fix the worker, then retry.",
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  completion_conflict: {
    meaning: 'A second, different completion arrived for an attempt that was already ingested.',
    action: 'Inspect both completions in the run folder; retry only once you know which worker wrote what.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  completion_invalid: {
    meaning: 'The completion did not match the schema, or names another run, task, attempt or epoch, and the attempts are used up.',
    action: 'Fix the worker so it writes a valid buran.completion/v1 file, then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  worker_timeout: {
    meaning: 'A worker exceeded its wall-clock or heartbeat deadline on its last allowed attempt; its process group was ended.',
    action: 'Raise limits.taskTimeoutSec / heartbeatTimeoutSec or make the task smaller, then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  retry_exhausted: {
    meaning: 'The last attempt allowed for this epoch ended with the worker reporting failure (earlier attempts may have failed in other ways).',
    action: "Read the attempts' summaries in the report, improve the task instructions or the worker, then retry.",
    command: 'buran report --run {runId}',
    decisions: RETRYABLE,
  },
  fix_exhausted: {
    meaning: 'Verification or review still failed after the last allowed fix round.',
    action: 'Read the findings in the report; fix by hand on the run branch or grant one more round with retry.',
    command: 'buran report --run {runId}',
    decisions: RETRYABLE,
  },
  policy_denied: {
    meaning: 'A change broke policy (for example it touched a protected path or a verification definition); policy failures are never retried.',
    action: 'Inspect the offending change in the report; the run cannot continue. Cancel it and approve a corrected packet.',
    command: 'buran cancel --run {runId}',
    decisions: STOP_ONLY,
  },
  budget_exhausted: {
    meaning: 'A dispatch, wall-clock or spend budget would be exceeded.',
    action: 'The run stopped before exceeding its budget and ended its live workers. Cancel it, or approve a packet with larger limits.',
    command: 'buran cancel --run {runId}',
    decisions: STOP_ONLY,
  },
  verification_blocked: {
    meaning: 'A verification command could not run (missing executable, timeout, workspace unavailable).',
    action: 'Make the verification commands runnable in the workspace, then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  review_blocked: {
    meaning: 'A reviewer could not produce a valid verdict or answered BLOCKED, and no quorum of reviewers passed without it.',
    action: 'Read which reviewer blocked (the gate summary; with several reviewers, status and the report show each verdict), check it and its output, then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  integration_conflict: {
    meaning: 'A task branch could not be merged into the run branch, and the fix rounds are used up.',
    action: 'Resolve the conflict on the run branch by hand, then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  handoff_failed: {
    meaning: 'The final commit, report or pull request could not be made.',
    action: 'Read the error in details, fix its cause, then retry the handoff.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  store_corrupt: {
    meaning: 'A file in the run store is missing, empty or unreadable; nothing was reset.',
    action: 'Restore the file named in details from a backup, or move the run folder aside; buran never rebuilds it silently.',
    command: null,
    decisions: STOP_ONLY,
  },
  worker_blocked: {
    meaning: 'The worker reported it cannot proceed (its completion status is "blocked"); its summary says why.',
    action: "Read the attempt's summary in the report, supply what the worker asked for (usually in the packet), then retry.",
    command: 'buran report --run {runId}',
    decisions: RETRYABLE,
  },
  internal_error: {
    meaning: 'An effect failed in a way buran did not expect; the run stopped rather than guess.',
    action: 'Read the error in details; retry once its cause is fixed, or report a bug.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  handoff_moved: {
    meaning: 'The run branch no longer points at the commit recorded at handoff (new commits, reset, force-push or deleted): what it holds now is not what this run handed off.',
    action: 'Compare details.recorded and details.current. To hand off what the run reviewed, put the branch back on the recorded commit (the message gives the git command); for the new work, approve the packet again as a new run. No decision applies: the run itself is finished.',
    command: 'buran report --run {runId}',
    decisions: [],
  },
  evidence_tampered: {
    meaning: "A record of the run (its log, snapshot, run.json or another sealed record) no longer matches what the runner wrote: it was changed outside buran, so nothing in it is trusted.",
    action: 'Look at the file named in details (a worker that ran with sandbox: none, or a hand edit, changed it). The run cannot continue on records it cannot trust: approve the packet again as a new run, with the sandbox on.',
    command: 'buran approve <packet>',
    decisions: [],
  },
  platform_unsupported: {
    meaning: "buran cannot read this system's process table (neither Linux /proc nor a ps it understands), so it could not tell a worker's processes from reused pids or end them; no worker was started.",
    action: 'Run on Linux, or on a system whose /bin/ps or /usr/bin/ps answers `ps -A -o pid= -o ppid= -o pgid= -o state= -o lstart=` (macOS, the BSDs); then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  setup_failed: {
    meaning: "A packet setup command failed or timed out while preparing a worktree or a verification checkout, so nothing ran in it.",
    action: 'Read the command and its output tail in details, fix the packet\'s setup commands or what they need (an offline cache, a file in your checkout), then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  prerequisite_failed: {
    meaning: "The run named in the packet's `after` can no longer become handoff-ready as approved: it blocked, was cancelled or failed, or its branch moved after its handoff. This stacked run never started (nothing was leased).",
    action: 'Look at the prerequisite (details.prerequisite; buran status --run <it>). Once it is handoff-ready again (unblocked and finished, or its branch put back on the recorded commit), retry; to build on something else, approve a new packet.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  queue_not_durable: {
    meaning: 'The Redis behind the attempt queue (config queue, BURAN_QUEUE_URL) could lose what it acknowledged (appendonly, appendfsync, maxmemory-policy), so no attempt was sent to it.',
    action: 'Set the Redis settings the message names (appendonly yes, appendfsync always, maxmemory-policy noeviction; docs/distributed.md), then retry; or unset the queue to run attempts on this machine.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
  queue_unavailable: {
    meaning: "The attempt queue (Redis) could not be reached, would not say how it keeps data, or the queue settings are incomplete; or the run's git remote did not answer when an attempt's commit was fetched.",
    action: 'Check the queue URL and that Redis answers (redis-cli -u <url> PING), that config queue.remote is set and reachable (git ls-remote <remote>), then retry.',
    command: 'buran unblock --run {runId} --decision retry',
    decisions: RETRYABLE,
  },
} as const satisfies Record<string, BlockerCodeEntry>;

export type BlockerCode = keyof typeof BLOCKER_CODES;
/**
 * Every blocker code, in table order.
 * @example
 * for (const code of BLOCKER_CODE_LIST) console.log(code, BLOCKER_CODES[code].meaning);
 */
export const BLOCKER_CODE_LIST = Object.keys(BLOCKER_CODES) as BlockerCode[];

export const NextSafeActionSchema = z.strictObject({
  /** What to do, in words. */
  text: z.string().min(1),
  /** The exact buran command, when there is one. */
  command: z.string().min(1).nullable(),
});
export type NextSafeAction = z.output<typeof NextSafeActionSchema>;

/**
 * A structured blocker: `{ code, message, details, nextSafeAction }` (strict).
 * @example
 * const blocker = BlockerSchema.parse(JSON.parse(text)); // from a status --json document
 */
export const BlockerSchema = z.strictObject({
  code: z.enum(BLOCKER_CODE_LIST as [BlockerCode, ...BlockerCode[]]),
  message: z.string().min(1),
  details: z.record(z.string(), z.unknown()),
  nextSafeAction: NextSafeActionSchema,
});
export type Blocker = z.output<typeof BlockerSchema>;

export function isBlockerCode(value: unknown): value is BlockerCode {
  return typeof value === 'string' && Object.hasOwn(BLOCKER_CODES, value);
}

/** The next safe action for a code, with the run id filled in. */
export function nextSafeActionFor(code: BlockerCode, runId: string): NextSafeAction {
  const entry: BlockerCodeEntry = BLOCKER_CODES[code];
  return {
    text: entry.action,
    command: entry.command === null ? null : entry.command.replaceAll('{runId}', runId),
  };
}

/**
 * Build a structured blocker; the message defaults to the code's meaning.
 * @example
 * makeBlocker('lease_conflict', 'r1', 'scope overlaps run r0', { otherRun: 'r0' });
 * // → { code, message, details, nextSafeAction: { text, command: 'buran …' } }
 */
export function makeBlocker(
  code: BlockerCode,
  runId: string,
  message?: string,
  details: Record<string, unknown> = {},
): Blocker {
  const entry: BlockerCodeEntry = BLOCKER_CODES[code];
  return { code, message: message ?? entry.meaning, details, nextSafeAction: nextSafeActionFor(code, runId) };
}

/**
 * Whether the run chart accepts an operator decision for a blocker code.
 * @example
 * decisionAllowed('packet_tampered', 'retry'); // false: re-approve instead
 */
export function decisionAllowed(code: BlockerCode, decision: OperatorDecision): boolean {
  const entry: BlockerCodeEntry = BLOCKER_CODES[code];
  return entry.decisions.includes(decision);
}
