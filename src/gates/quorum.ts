// How several reviewers' verdicts make one review gate. Pure. The built-in
// rules are a precondition, never a vote that can be outvoted: the caller asks
// the other reviewers only after they passed, and a built-in FAIL, BLOCKED or
// policy finding is the gate as it is.
import { addedUsage } from '../../machines/shared.js';
import type { Finding, GateResult, Quorum, ReviewerVerdict } from '../domain/gates.js';
import { BUILTIN_REVIEWER } from '../domain/packet.js';
import type { Usage } from '../domain/usage.js';

export interface QuorumInput {
  /** The built-in review; it passed (else there is no quorum to decide). */
  readonly builtin: GateResult;
  /** Every reviewer's verdict in packet order, the built-in one included when the packet lists it. */
  readonly verdicts: readonly ReviewerVerdict[];
  readonly require: 'all' | number;
}

/** PASS verdicts a quorum needs: every reviewer for "all", else the count (never more than there are reviewers). */
export function neededPasses(require: 'all' | number, reviewers: number): number {
  return require === 'all' ? reviewers : Math.min(require, reviewers);
}

/**
 * The gate a quorum decides:
 * - PASS when at least `needed` reviewers passed, also when others FAILed or
 *   were BLOCKED (the record says the quorum carried them);
 * - else BLOCKED when any reviewer was BLOCKED (it could not be decided);
 * - else FAIL, with the findings of every FAILing reviewer for one fix round.
 * `usage` is every reviewer's spend added up (an unknown one counts as unknown).
 * @example
 * decideQuorum({ builtin, verdicts: [pass('a'), fail('b')], require: 1 }).status // 'PASS'
 */
export function decideQuorum(input: QuorumInput): GateResult {
  const { builtin, verdicts } = input;
  const needed = neededPasses(input.require, verdicts.length);
  const names = (status: ReviewerVerdict['status']) => verdicts.filter((v) => v.status === status).map((v) => v.reviewer);
  const passes = names('PASS').length;
  const failed = names('FAIL');
  const blocked = names('BLOCKED');
  const met = passes >= needed;
  const quorum: Quorum = { require: input.require, needed, passes, met, failed, blocked, carried: met && blocked.length > 0 };
  const status = met ? 'PASS' : blocked.length > 0 ? 'BLOCKED' : 'FAIL';
  // A FAIL feeds every FAILing reviewer's findings to one fix round; a PASS keeps the passing reviewers' notes of record.
  const from = status === 'FAIL' ? verdicts.filter((v) => v.status === 'FAIL') : status === 'PASS' ? verdicts.filter((v) => v.status === 'PASS') : [];
  const named = from.flatMap((v) => (v.adapter === BUILTIN_REVIEWER ? [] : v.findings.map((f) => ({ ...f, message: `${v.reviewer}: ${f.message}` }))));
  const findings: Finding[] = status === 'PASS' ? [...builtin.findings, ...named] : named;
  const usage = totalUsage(verdicts);
  return {
    ...builtin,
    status,
    summary: `${builtin.summary}; ${quorumSummary(quorum, verdicts.length)}`,
    findings,
    evidence: [...builtin.evidence, ...verdicts.flatMap((v) => (v.adapter === BUILTIN_REVIEWER ? [] : v.evidence))],
    ...(usage === undefined ? {} : { usage }),
    reviewers: [...verdicts],
    quorum,
  };
}

/** One line: "reviewers: 2 of 3 PASS (needed 2); carried past BLOCKED: x; FAIL: y". */
export function quorumSummary(q: Quorum, reviewers: number): string {
  const parts = [`reviewers: ${q.passes} of ${reviewers} PASS (needed ${q.needed}${q.require === 'all' ? ', all' : ''})`];
  if (q.failed.length > 0) parts.push(`FAIL: ${q.failed.join(', ')}`);
  if (q.blocked.length > 0) parts.push(q.carried ? `BLOCKED but carried by the quorum: ${q.blocked.join(', ')}` : `BLOCKED the gate: ${q.blocked.join(', ')}`);
  return parts.join('; ');
}

/** Spend of the reviewers that report usage (undefined when none does: only the built-in one ran). */
function totalUsage(verdicts: readonly ReviewerVerdict[]): Usage | null | undefined {
  const spent = verdicts.filter((v) => v.usage !== undefined);
  if (spent.length === 0) return undefined;
  return spent.reduce<Usage>((total, v) => addedUsage(total, v.usage ?? null), { inputTokens: 0, outputTokens: 0, costUsd: 0, unknownAttempts: 0 });
}
