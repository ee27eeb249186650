// Pure: what the views show of review quorums — the latest quorum review of
// each task and of the integration, with every reviewer's verdict.
import type { RunContext } from '../../machines/run.types.js';
import type { GateRecord, Quorum, ReviewerVerdict } from '../domain/gates.js';

export interface QuorumReview {
  readonly subject: 'task' | 'integration';
  /** The task reviewed; null for the integration review. */
  readonly taskId: string | null;
  readonly epoch: number;
  readonly status: GateRecord['status'];
  readonly quorum: Quorum;
  readonly reviewers: readonly ReviewerVerdict[];
}

/** The latest quorum review of one list of gate records, or null when none asked a quorum. */
function latest(gates: readonly GateRecord[], subject: QuorumReview['subject'], taskId: string | null): QuorumReview | null {
  const g = gates.findLast((r) => r.gate === 'review' && r.quorum !== undefined && r.reviewers !== undefined);
  if (g?.quorum === undefined || g.reviewers === undefined) return null;
  return { subject, taskId, epoch: g.epoch, status: g.status, quorum: g.quorum, reviewers: g.reviewers };
}

/**
 * The latest quorum review per task (packet order), then the integration's.
 * @example
 * quorumReviews(context, (id) => taskSnapshot(children[`task:${id}`])?.context.gates ?? [])
 */
export function quorumReviews(c: Pick<RunContext, 'tasks' | 'gates'>, taskGates: (taskId: string) => readonly GateRecord[]): QuorumReview[] {
  const tasks = c.tasks.map((t) => latest(taskGates(t.id), 'task', t.id));
  return [...tasks, latest(c.gates, 'integration', null)].filter((r): r is QuorumReview => r !== null);
}

/** One line per reviewer, under a heading line: for the text views. */
export function quorumReviewLines(r: QuorumReview, indent = ''): string[] {
  const q = r.quorum;
  const head = `${indent}review of ${r.taskId === null ? 'the integration' : `task ${r.taskId}`} (epoch ${r.epoch}): ${r.status}, ${q.passes} of ${r.reviewers.length} PASS, needed ${q.needed}${q.carried ? `, quorum carried BLOCKED ${q.blocked.join(', ')}` : ''}`;
  return [head, ...r.reviewers.map((v) => `${indent}  ${v.reviewer} (${v.adapter}): ${v.status}${v.findings.length > 0 ? `, ${v.findings.length} finding(s)` : ''}${v.usage === undefined ? '' : `, ${v.usage === null ? 'usage unknown' : `${v.usage.inputTokens + v.usage.outputTokens} tokens, $${v.usage.costUsd.toFixed(4)}`}`} — ${v.summary.slice(0, 200)}`)];
}
