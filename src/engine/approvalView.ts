// Pure: what a run's approval gates (packet policy.approvals) look like to a
// person — the gate it waits for now, the ones still to come, approved and
// skipped at the current epoch — and every decision taken, for status and report.
import type { DecisionRecord, PendingApproval, RunContext, SkippedApproval } from '../../machines/run.types.js';

export interface ApprovalsView {
  /** The epoch the gates were worked out for (gates are asked again after every fix round). */
  readonly epoch: number;
  /** The gate a person must decide now (`buran decide --gate <name>`), or null when the run is not waiting for one. */
  readonly waitingFor: string | null;
  readonly pending: readonly PendingApproval[];
  readonly approved: readonly string[];
  readonly skipped: readonly SkippedApproval[];
}

export interface DecisionView {
  readonly decision: string;
  readonly by: string;
  readonly reason: string;
  readonly blockerCode: string | null;
  readonly gate: string | null;
  readonly epoch: number | null;
}

/** The run's approval gates at its current epoch; null before the integration review first passed (or with no gates and none skipped). */
export function approvalsView(context: Pick<RunContext, 'approvals'>, stage: string): ApprovalsView | null {
  const a = context.approvals ?? null;
  if (a === null || (a.pending.length === 0 && a.approved.length === 0 && a.skipped.length === 0)) return null;
  const waiting = stage === 'active.awaitingApproval' ? (a.pending[0]?.name ?? null) : null;
  return { epoch: a.epoch, waitingFor: waiting, pending: a.pending, approved: a.approved, skipped: a.skipped };
}

/** Every operator decision, in order, with its gate and epoch (null for decisions that are not about a gate). */
export function decisionsView(decisions: readonly DecisionRecord[]): DecisionView[] {
  return decisions.map((d) => ({ decision: d.decision, by: d.by, reason: d.reason, blockerCode: d.blockerCode, gate: d.gate ?? null, epoch: d.epoch ?? null }));
}

/** The command that decides the gate a run waits for. */
export function decideCommand(runId: string, gate: string): string {
  return `buran decide --run ${runId} --gate ${gate} --approve --by <you> --reason "<why>"`;
}

/** Why a `buran decide` for `gate` by `by` cannot be taken by a run at `stage`: what it waits for instead, or who may decide. */
export function decideRefusal(runId: string, stage: string, context: Pick<RunContext, 'approvals'>, gate: string, by: string): string {
  const asked = stage === 'active.awaitingApproval' ? (context.approvals?.pending[0] ?? null) : null;
  if (asked === null) return `run ${runId} is ${stage}: it waits for no approval gate (see buran status --run ${runId})`;
  if (asked.name !== gate) return `run ${runId} waits for approval gate ${asked.name}, not ${gate}: decide ${asked.name} first (gates are asked in the packet's order)`;
  return `approval gate ${gate} of run ${runId} may be decided by ${(asked.by ?? []).join(', ')} (the packet's policy.approvals[].by), not by ${by}`;
}

const few = (items: readonly string[]): string => `${items.slice(0, 5).join(', ')}${items.length > 5 ? ', …' : ''}`;

/** Why a gate applies, for people: the files it matched, the dependencies the change adds (or the manifest it could not read). */
function whyPending(p: PendingApproval): string {
  const why: string[] = [];
  if (p.matched.length > 0) why.push(`the change touches ${few(p.matched)}`);
  for (const d of p.dependencies ?? []) why.push(d.unreadable ?? `${d.manifest} adds ${few(d.added)}`);
  return why.length === 0 ? '' : ` — ${why.join('; ')}`;
}

/** The approval gates as lines for people (report section; status with a pad): each gate waiting, approved or skipped, and why. */
export function approvalLines(a: ApprovalsView | null, pad: string | null = null): string[] {
  if (a === null) return [];
  const head = pad === null ? ['', `## Approval gates (epoch ${a.epoch})`, ''] : [`${pad}approvals (epoch ${a.epoch}):`];
  const item = pad === null ? '- ' : `${pad}  `;
  const lines = [...head];
  for (const name of a.approved) lines.push(`${item}${name}: approved`);
  for (const p of a.pending) {
    const state = p.name === a.waitingFor ? 'waiting for a person (buran decide)' : 'to be asked';
    lines.push(`${item}${p.name}: ${state}${p.by === undefined ? '' : ` (by ${p.by.join(' or ')})`}${whyPending(p)}`);
  }
  for (const s of a.skipped) lines.push(`${item}${s.name}: skipped — ${s.reason ?? `no changed file matches ${s.paths.join(', ')}`}`);
  return lines;
}
