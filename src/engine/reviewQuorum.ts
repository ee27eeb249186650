// A review by several reviewers that must agree (`review.reviewers`): the
// built-in rules first (their FAIL, BLOCKED or policy finding is the gate,
// never outvoted), then each adapter reviewer in packet order, one after
// another, each recorded in its own folder; src/gates/quorum.ts decides.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { addedUsage } from '../../machines/shared.js';
import type { GateResult, ReviewerVerdict } from '../domain/gates.js';
import type { Limits } from '../domain/limits.js';
import { BUILTIN_REVIEWER, type Reviewer, reviewPlan } from '../domain/packet.js';
import { type Usage, ZERO_USAGE } from '../domain/usage.js';
import { decideQuorum } from '../gates/quorum.js';
import { type ReviewGateOptions, type ReviewRequest, askReviewer, diffOf, reviewDirName } from './reviewGate.js';

type NamedReviewer = Reviewer & { readonly name: string };

/**
 * Every reviewer's verdict on one change, and the gate their quorum makes.
 * Idempotent for its request: a reviewer whose folder exists is re-attached or
 * its recorded verdict re-read, never started again; one whose folder does not
 * is started only while the run's recorded spend plus this review's is within
 * the budget (spend only grows, so a restart decides the same).
 */
export async function quorumReview(o: ReviewGateOptions, request: ReviewRequest): Promise<GateResult> {
  const { builtin } = request;
  if (builtin.status !== 'PASS' || builtin.policyViolations.length > 0) return builtin;
  const plan = reviewPlan(o.packet.review);
  const diff = plan.reviewers.every((r) => r.adapter === BUILTIN_REVIEWER) ? { text: '' } : await diffOf(o, request);
  const verdicts: ReviewerVerdict[] = [];
  for (const reviewer of plan.reviewers) {
    if (reviewer.adapter === BUILTIN_REVIEWER) {
      verdicts.push({ reviewer: reviewer.name, adapter: BUILTIN_REVIEWER, status: 'PASS', summary: builtin.summary, findings: builtin.findings, evidence: builtin.evidence });
      continue;
    }
    if ('problem' in diff) {
      verdicts.push(notAsked(reviewer, `the diff cannot be read: ${o.redact(diff.problem)}`));
      continue;
    }
    const dir = join(o.attemptsDir, `${reviewDirName(request)}.${reviewer.name}`);
    const { budgetUsd, budgetTokens } = o.packet.limits;
    const budgeted = budgetUsd !== undefined || budgetTokens !== undefined;
    const over = existsSync(dir) || !budgeted ? null : budgetProblem(o.packet.limits, await spentSoFar(o, verdicts));
    if (over !== null) {
      verdicts.push(notAsked(reviewer, over));
      continue;
    }
    const { name, ...worker } = reviewer;
    verdicts.push(verdictOf(reviewer, builtin, await askReviewer(o, request, worker, dir, diff.text, name)));
  }
  return decideQuorum({ builtin, verdicts, require: plan.require });
}

/** The run's recorded spend plus what this review's reviewers spent so far. */
async function spentSoFar(o: ReviewGateOptions, verdicts: readonly ReviewerVerdict[]): Promise<Usage> {
  const run = o.spent === undefined ? ZERO_USAGE : await o.spent();
  return verdicts.reduce((total, v) => (v.usage === undefined ? total : addedUsage(total, v.usage)), run);
}

/** Why no further reviewer may start under the run's spend budget (the run chart's own rule), or null. */
export function budgetProblem(limits: Pick<Limits, 'budgetUsd' | 'budgetTokens'>, spent: Usage): string | null {
  const { budgetUsd, budgetTokens } = limits;
  if (budgetUsd === undefined && budgetTokens === undefined) return null;
  if (spent.unknownAttempts > 0) return `the run has a spend budget and ${spent.unknownAttempts} attempt(s) or reviewer(s) of unknown spend`;
  if (budgetUsd !== undefined && spent.costUsd > budgetUsd) return `the spend budget is used up ($${spent.costUsd.toFixed(4)} of $${budgetUsd})`;
  const tokens = spent.inputTokens + spent.outputTokens;
  if (budgetTokens !== undefined && tokens > budgetTokens) return `the token budget is used up (${tokens} of ${budgetTokens})`;
  return null;
}

function notAsked(reviewer: NamedReviewer, why: string): ReviewerVerdict {
  return { reviewer: reviewer.name, adapter: reviewer.adapter, status: 'BLOCKED', summary: `not asked: ${why}`, findings: [], evidence: [] };
}

/** One reviewer's part of its gate: its own summary, findings, evidence and spend. */
function verdictOf(reviewer: NamedReviewer, builtin: GateResult, gate: GateResult): ReviewerVerdict {
  const prefix = `${builtin.summary}; agent reviewer ${reviewer.name}: `;
  const own = new Set(builtin.evidence.map((e) => e.hash));
  return {
    reviewer: reviewer.name,
    adapter: reviewer.adapter,
    status: gate.status,
    summary: gate.summary.startsWith(prefix) ? gate.summary.slice(prefix.length) : gate.summary,
    findings: gate.findings,
    evidence: gate.evidence.filter((e) => !own.has(e.hash)),
    usage: gate.usage ?? null,
  };
}
