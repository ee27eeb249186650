import * as z from 'zod';
import { UsageSchema } from './usage.js';

/** A gate's verdict. BLOCKED means the check could not run or could not decide; it is never a pass. */
export const GATE_STATUSES = ['PASS', 'FAIL', 'BLOCKED'] as const;
export type GateStatus = (typeof GATE_STATUSES)[number];

export const FindingSchema = z.strictObject({
  message: z.string().min(1),
  severity: z.enum(['error', 'warning', 'info']),
  /** Stable rule name for built-in findings (e.g. `out_of_scope`, `protected_path`). */
  rule: z.string().optional(),
  file: z.string().optional(),
  line: z.number().int().min(1).optional(),
  /** The task a finding is attributed to, when it can be. */
  taskId: z.string().optional(),
});
export type Finding = z.output<typeof FindingSchema>;

/** A pointer to stored evidence: an artifact in the run store, addressed by content hash. */
export const EvidenceRefSchema = z.strictObject({
  kind: z.enum(['command', 'review', 'diff', 'completion', 'merge', 'report']),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  label: z.string(),
});
export type EvidenceRef = z.output<typeof EvidenceRefSchema>;

/** One command of a verification gate, as evidence. Units: milliseconds; tails are bounded. */
export const CommandEvidenceSchema = z.strictObject({
  argv: z.array(z.string()).min(1),
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().min(0),
  stdoutTail: z.string(),
  stderrTail: z.string(),
  /** Why the command could not run, when it could not (gate is then BLOCKED). */
  error: z.string().optional(),
});
export type CommandEvidence = z.output<typeof CommandEvidenceSchema>;

/** One reviewer's verdict within a review gate: who, what it said, what it spent. */
export const ReviewerVerdictSchema = z.strictObject({
  /** The reviewer's name in the packet (`review.reviewers[].name`, default its adapter). */
  reviewer: z.string(),
  adapter: z.string(),
  status: z.enum(GATE_STATUSES),
  summary: z.string(),
  findings: z.array(FindingSchema),
  evidence: z.array(EvidenceRefSchema),
  /** Its spend (null: it ran but its usage is unknown); absent for the built-in reviewer and reviewers not started. */
  usage: UsageSchema.nullable().optional(),
});
export type ReviewerVerdict = z.output<typeof ReviewerVerdictSchema>;

/** How a quorum of reviewers decided a review gate. */
export const QuorumSchema = z.strictObject({
  /** As the packet says: "all" or a count. */
  require: z.union([z.literal('all'), z.number().int().min(1)]),
  /** PASS verdicts the gate needed, and how many it got. */
  needed: z.number().int().min(1),
  passes: z.number().int().min(0),
  met: z.boolean(),
  /** Reviewers that answered FAIL and BLOCKED, by name. */
  failed: z.array(z.string()),
  blocked: z.array(z.string()),
  /** The quorum was met without the BLOCKED reviewers: they did not block the gate. */
  carried: z.boolean(),
});
export type Quorum = z.output<typeof QuorumSchema>;

/**
 * The result of a verification or review gate. One shape for every outcome;
 * evidence is valid only for the epoch it names.
 * @example
 * const result = GateResultSchema.parse(await myReviewer(input)); // a host's own gate must return this shape
 */
export const GateResultSchema = z.strictObject({
  gate: z.enum(['verification', 'review']),
  /** `task` gates check one task's worktree; `integration` gates check the run branch. */
  subject: z.enum(['task', 'integration']),
  taskId: z.string().optional(),
  epoch: z.number().int().min(1),
  status: z.enum(GATE_STATUSES),
  summary: z.string(),
  findings: z.array(FindingSchema),
  /** Findings that break policy; any of them turns the gate into `policy_denied`, never a fix. */
  policyViolations: z.array(FindingSchema),
  evidence: z.array(EvidenceRefSchema),
  /** The commit and tree a verification ran on (a clean checkout of what will be merged or handed off). */
  checked: z.strictObject({ commit: z.string(), tree: z.string() }).optional(),
  /** Spend of an agent reviewer (null: it ran but its usage is unknown); absent for gates that spend nothing. */
  usage: UsageSchema.nullable().optional(),
  /** Review gates with `review.reviewers`: every reviewer's verdict, in packet order (the built-in one first when listed). */
  reviewers: z.array(ReviewerVerdictSchema).optional(),
  /** Review gates with `review.reviewers`: how the quorum decided. */
  quorum: QuorumSchema.optional(),
});
export type GateResult = z.output<typeof GateResultSchema>;

/** What the run chart keeps of a gate: enough to prove which epoch passed. */
export interface GateRecord {
  readonly gate: 'verification' | 'review';
  readonly epoch: number;
  readonly status: GateStatus;
  readonly evidence: readonly EvidenceRef[];
  /** A review quorum's verdicts and decision (absent for single-reviewer reviews and runs recorded before quorums). */
  readonly reviewers?: readonly ReviewerVerdict[];
  readonly quorum?: Quorum;
}
