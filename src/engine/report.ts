// Pure: the handoff / progress report of a run, as JSON and as markdown,
// built only from the persisted snapshot and the event log.
import type { RunContext } from '../../machines/run.types.js';
import type { TaskContext } from '../../machines/task.types.js';
import type { Blocker } from '../domain/blockers.js';
import type { EventRecord } from '../domain/events.js';
import type { SetupRecord } from '../domain/setup.js';
import { nextSafeActionOf, stageOf, statusOf, type RunStatus } from './runStatus.js';
import type { Usage } from '../domain/usage.js';
import type { RunChanges } from './changes.js';
import { NO_REASONS, type Reasons, commandHead, workerHead } from './reasons.js';
import { type SandboxRecord, sandboxSummary } from './sandboxChoice.js';
import { type QuorumReview, quorumReviewLines, quorumReviews } from './reviewViews.js';
import { type ApprovalsView, approvalLines, approvalsView } from './approvalView.js';

export interface TaskReport {
  readonly id: string;
  readonly state: string;
  readonly epoch: number;
  /** `usage`: what the attempt reported; null when unknown (or recorded before usage was kept per attempt). */
  readonly attempts: readonly { attemptId: string; epoch: number; outcome: string | null; summary: string | null; usage: Usage | null; agent?: string }[];
  readonly gates: readonly { gate: string; epoch: number; status: string }[];
}

export interface RunReport {
  readonly schema: 'buran.report/v1';
  readonly runId: string;
  readonly status: RunStatus;
  readonly stage: string;
  readonly epoch: number;
  readonly branch: string | null;
  /** The commit recorded at handoff, and its tree (null before handoff; the tree also for runs handed off before it was recorded). */
  readonly handoffCommit: string | null;
  readonly handoffTree: string | null;
  readonly integrationGates: readonly { gate: string; epoch: number; status: string }[];
  readonly tasks: readonly TaskReport[];
  readonly usage: RunContext['usage'];
  readonly dispatches: number;
  readonly decisions: RunContext['decisions'];
  readonly blocker: RunContext['blocker'];
  readonly nextSafeAction: ReturnType<typeof nextSafeActionOf>;
  readonly events: number;
  /** How the run's processes were confined (its sandbox.json without the time); null when no driver opened it. */
  readonly sandbox: Omit<SandboxRecord, 'decidedAt'> | null;
  /** Why the run is where it is: the blocker's findings, failed verification commands, failed worker attempts. */
  readonly reasons: Reasons;
  /** What a handed-off run changed (diff stat, files per task); null before handoff or when git could not say. */
  readonly changes: RunChanges | null;
  /** The packet's setup in the task and run worktrees, in the order the log recorded it (verification checkouts: in the gates' evidence). */
  readonly setup: readonly SetupRecord[];
  /** The latest review of each task and of the integration that asked several reviewers (`review.reviewers`): every reviewer's verdict and the quorum. */
  readonly reviews: readonly QuorumReview[];
  /** The approval gates at the current epoch: the one waited for, still to come, approved, skipped (null: the run has none). */
  readonly approvals: ApprovalsView | null;
  readonly extra: Record<string, unknown>;
}

/** What the views gathered at the edge for the report (see reasons.ts, changes.ts). */
export interface ReportExtras {
  readonly reasons?: Reasons;
  readonly changes?: RunChanges | null;
  /** Attempt id → the worker agent that ran it (attempts a queue carried; queueRecords.ts). */
  readonly agents?: Readonly<Record<string, string>>;
}

const isSetupRecord = (value: unknown): value is SetupRecord =>
  typeof value === 'object' && value !== null && typeof (value as { where?: unknown }).where === 'string' && Array.isArray((value as { commands?: unknown }).commands);

interface SnapshotLike {
  readonly value: unknown;
  readonly context: RunContext;
  /** Live actor refs (a restored snapshot) or persisted child snapshots. */
  readonly children: Readonly<Record<string, unknown>>;
}

type TaskView = { value: unknown; context: TaskContext };
const isTaskView = (v: unknown): v is TaskView =>
  typeof v === 'object' && v !== null && 'value' in v && 'context' in v && typeof (v as { context: unknown }).context === 'object';

/** A task child's snapshot from a run snapshot's children entry (a live actor ref or a persisted child). */
export function taskSnapshot(child: unknown): TaskView | null {
  if (typeof child !== 'object' || child === null) return null;
  if ('getSnapshot' in child && typeof child.getSnapshot === 'function') {
    const snap: unknown = (child.getSnapshot as () => unknown)();
    return isTaskView(snap) ? snap : null;
  }
  if ('snapshot' in child && isTaskView(child.snapshot)) return child.snapshot;
  return null;
}

/**
 * The report of a run. `viewBlocker` is the engine's finding about the stored run
 * (RunView.tampered: a record changed outside buran; RunView.handoffMoved: the run branch
 * left the handed-off commit): the report then says `blocked` with it.
 */
export function buildReport(
  snap: SnapshotLike,
  events: readonly EventRecord[],
  extra: Record<string, unknown> = {},
  viewBlocker: Blocker | null = null,
  sandbox: SandboxRecord | null = null,
  more: ReportExtras = {},
): RunReport {
  const c = snap.context;
  const tasks: TaskReport[] = c.tasks.map((t, i) => {
    const child = taskSnapshot(snap.children[`task:${t.id}`]);
    if (child === null) return { id: t.id, state: c.progress[i] ?? 'pending', epoch: 0, attempts: [], gates: [] };
    const h = child.context.history;
    const attempts = h.flatMap((e) => (e.kind === 'dispatched' ? [e] : [])).map((d) => {
      const outcome = h.find((e) => e.kind === 'outcome' && e.attemptId === d.attemptId);
      return {
        attemptId: d.attemptId,
        epoch: d.epoch,
        outcome: outcome?.kind === 'outcome' ? outcome.outcome : null,
        summary: outcome?.kind === 'outcome' ? outcome.summary : null,
        usage: outcome?.kind === 'outcome' ? (outcome.usage ?? null) : null,
        ...(more.agents?.[d.attemptId] === undefined ? {} : { agent: more.agents[d.attemptId] }),
      };
    });
    return {
      id: t.id,
      state: stageOf(child.value),
      epoch: child.context.epoch,
      attempts,
      gates: child.context.gates.map((g) => ({ gate: g.gate, epoch: g.epoch, status: g.status })),
    };
  });
  return {
    schema: 'buran.report/v1',
    runId: c.runId,
    status: viewBlocker === null ? statusOf(snap) : 'blocked',
    stage: stageOf(snap.value),
    epoch: c.epoch,
    branch: c.handoff?.branch ?? c.lease?.branch ?? null,
    handoffCommit: c.handoff?.commit ?? null,
    handoffTree: c.handoff?.tree ?? null,
    integrationGates: c.gates.map((g) => ({ gate: g.gate, epoch: g.epoch, status: g.status })),
    tasks,
    usage: c.usage,
    dispatches: c.dispatches,
    decisions: c.decisions,
    blocker: viewBlocker ?? (statusOf(snap) === 'blocked' ? c.blocker : null),
    nextSafeAction: viewBlocker?.nextSafeAction ?? nextSafeActionOf(snap, c.runId),
    events: events.length,
    sandbox: sandbox === null ? null : { mode: sandbox.mode, kind: sandbox.kind, network: sandbox.network, note: sandbox.note },
    reasons: more.reasons ?? NO_REASONS,
    changes: more.changes ?? null,
    setup: events.flatMap((e) => (isSetupRecord(e.data['setup']) ? [e.data['setup']] : [])),
    reviews: quorumReviews(c, (id) => taskSnapshot(snap.children[`task:${id}`])?.context.gates ?? []),
    approvals: approvalsView(c, stageOf(snap.value)),
    extra,
  };
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A fenced block whose fence is longer than any backtick run in the text. */
function fenced(text: string, lang = 'text'): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, text, fence];
}

export const usageText = (u: Usage) => `${u.inputTokens} in / ${u.outputTokens} out tokens, $${u.costUsd.toFixed(4)}${u.unknownAttempts > 0 ? ` (+${u.unknownAttempts} attempts with unknown usage)` : ''}`;

function reasonsMarkdown(r: Reasons): string[] {
  const lines: string[] = [];
  if (r.findings.length > 0) {
    lines.push('', '### Findings', '', '| task | file | rule | message |', '|---|---|---|---|');
    for (const f of r.findings) lines.push(`| ${f.taskId ?? '—'} | ${cell(f.file === null ? '—' : `${f.file}${f.line === null ? '' : `:${f.line}`}`)} | ${f.rule ?? '—'}${f.policy ? ' (policy)' : ''} | ${cell(f.message.slice(0, 400))} |`);
  }
  if (r.failedCommands.length > 0) {
    lines.push('', '### Failed verification commands', '');
    for (const f of r.failedCommands) {
      lines.push(`- ${f.status}: ${commandHead(f)}`);
      if (f.outputTail !== '') lines.push('', ...fenced(f.outputTail), '');
    }
  }
  if (r.workerLogs.length > 0) {
    lines.push('', '### Worker attempts that failed', '');
    for (const w of r.workerLogs) {
      lines.push(`- ${workerHead(w)}`, `  logs: \`${w.folder}\``);
      if (w.stderrTail !== '') lines.push('', ...fenced(w.stderrTail), '');
    }
  }
  return lines;
}

export function reportMarkdown(r: RunReport): string {
  const lines: string[] = [];
  lines.push(`# buran run ${r.runId}`, '');
  lines.push(`- **status:** ${r.status} (${r.stage})`, `- **epoch:** ${r.epoch}`, `- **branch:** ${r.branch ?? '—'}`);
  lines.push(`- **${sandboxSummary(r.sandbox).replace(/^([^:]+):/, '$1:**')}`);
  if (r.handoffCommit !== null) lines.push(`- **handoff commit:** ${r.handoffCommit}${r.handoffTree === null ? '' : ` (tree ${r.handoffTree})`}`);
  lines.push(`- **dispatches:** ${r.dispatches}`, `- **usage:** ${usageText(r.usage)}`);
  if (r.blocker !== null) {
    lines.push('', '## Blocked', '', `**${r.blocker.code}**: ${r.blocker.message}`);
  }
  const why = reasonsMarkdown(r.reasons);
  if (why.length > 0) lines.push('', r.blocker === null ? '## What went wrong on the way' : '## Why', ...why);
  lines.push('', '## Next safe action', '', r.nextSafeAction.text);
  if (r.nextSafeAction.command !== null) lines.push('', '```sh', r.nextSafeAction.command, '```');
  if (r.changes !== null) {
    lines.push('', '## Changes', '', `\`git diff ${r.changes.base}...${r.changes.branch}\`:`, '', ...fenced(r.changes.diffStat === '' ? '(no changes)' : r.changes.diffStat));
    for (const t of r.changes.tasks) lines.push('', `- **${t.taskId}:** ${t.files.length === 0 ? 'no files' : t.files.map((f) => `\`${f}\``).join(', ')}`);
  }
  lines.push('', '## Integration gates', '');
  if (r.integrationGates.length === 0) lines.push('None yet.');
  else lines.push('| gate | epoch | verdict |', '|---|---|---|', ...r.integrationGates.map((g) => `| ${g.gate} | ${g.epoch} | ${g.status} |`));
  if (r.reviews.length > 0) {
    lines.push('', '## Reviewers', '');
    for (const review of r.reviews) {
      const [head = '', ...rest] = quorumReviewLines(review);
      lines.push(`- ${head}`, ...rest.map((line) => `  - ${line.trim()}`));
    }
  }
  if (r.setup.length > 0) {
    lines.push('', '## Setup', '', '| where | status | commands (exit code, ms) |', '|---|---|---|');
    for (const s of r.setup) {
      const commands = s.commands.map((c) => `${c.argv.join(' ')} (${c.timedOut ? 'timed out' : (c.exitCode ?? c.error ?? 'no exit code')}, ${Math.round(c.durationMs)})`);
      lines.push(`| ${cell(s.where)} | ${s.status} | ${cell(commands.join('; ').slice(0, 400))} |`);
    }
  }
  lines.push(...approvalLines(r.approvals));
  lines.push('', '## Tasks', '');
  for (const t of r.tasks) {
    lines.push(`### ${t.id} — ${t.state} (epoch ${t.epoch})`, '');
    if (t.attempts.length > 0) {
      // Attempts a queue carried name their worker agent (the machine that ran them).
      const onAgents = t.attempts.some((a) => a.agent !== undefined);
      lines.push(`| attempt | epoch |${onAgents ? ' agent |' : ''} outcome | usage | summary |`, `|---|---|${onAgents ? '---|' : ''}---|---|---|`);
      for (const a of t.attempts) lines.push(`| ${a.attemptId} | ${a.epoch} |${onAgents ? ` ${cell(a.agent ?? 'here')} |` : ''} ${a.outcome ?? 'in flight'} | ${a.usage === null ? (a.outcome === null ? '' : 'unknown') : usageText(a.usage)} | ${cell((a.summary ?? '').slice(0, 200))} |`);
      lines.push('');
    }
    if (t.gates.length > 0) lines.push(`Gates: ${t.gates.map((g) => `${g.gate}@${g.epoch} ${g.status}`).join(', ')}`, '');
  }
  if (r.decisions.length > 0) {
    lines.push('## Operator decisions', '', '| decision | by | reason | blocker or gate |', '|---|---|---|---|');
    for (const d of r.decisions) lines.push(`| ${d.decision} | ${cell(d.by)} | ${cell(d.reason)} | ${d.blockerCode ?? (d.gate === undefined ? '' : `gate ${cell(d.gate)} (epoch ${d.epoch ?? '?'})`)} |`);
    lines.push('');
  }
  lines.push(`_${r.events} events recorded._`, '');
  return lines.join('\n');
}
