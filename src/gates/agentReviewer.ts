// The agent reviewer gate: the built-in rules first, then a reviewer agent
// whose structured verdict is validated. An agent cannot turn a built-in
// FAIL into a PASS, and anything but a valid verdict is BLOCKED.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerOutcome } from '../../machines/task.types.js';
import { BuranError } from '../domain/errors.js';
import type { Finding, GateResult } from '../domain/gates.js';
import { GateResultSchema } from '../domain/gates.js';
import type { Usage } from '../domain/usage.js';
import type { AgentRunResult } from '../worker/adapter.js';
import { writeFileAtomic } from '../worker/attemptFiles.js';
import type { ReviewerRun } from '../worker/reviewAttempt.js';
import { usageOf } from '../worker/adapters/agentResult.js';
import { type ReviewPromptInput, buildReviewPrompt } from './reviewPrompt.js';
import { extractVerdict } from './verdict.js';

export interface AgentReviewInput {
  /** The built-in review of the same change; it decides alone unless it passed. */
  readonly builtin: GateResult;
  /** The reviewer adapter's name. */
  readonly reviewer: string;
  /** Folder prefix of this gate's tries (`<runDir>/attempts/review.<task>.e<epoch>`); try n lives in `<prefix>.t<n>`. */
  readonly dirPrefix: string;
  readonly prompt: Omit<ReviewPromptInput, 'reviewId'>;
  /** Runs (or re-attaches to) the reviewer in a folder. */
  readonly run: (dir: string, prompt: string) => Promise<ReviewerRun>;
  /** A fingerprint of the workspace (HEAD and status): the reviewer must leave it unchanged. */
  readonly workspaceState: () => Promise<string>;
  /** Stores evidence (JSON text), returns its content hash. */
  readonly putEvidence: (text: string) => Promise<string>;
}

const GATE_FILE = 'gate.json';
const ID_FILE = 'review-id';
const BEFORE_FILE = 'workspace-before';

/**
 * Review one change. Each try runs in its own folder and records its gate
 * result there: called again for the same gate (a restart), a try that is
 * still running is re-attached and a decided PASS/FAIL is returned as
 * recorded; a recorded BLOCKED starts a new try (an operator retried).
 */
export async function agentReview(input: AgentReviewInput): Promise<GateResult> {
  const { builtin } = input;
  if (builtin.status !== 'PASS' || builtin.policyViolations.length > 0) return builtin;

  let n = 1;
  let recorded = readGate(`${input.dirPrefix}.t${n}`);
  while (recorded?.status === 'BLOCKED') recorded = readGate(`${input.dirPrefix}.t${++n}`);
  if (recorded !== null) return recorded;
  const dir = `${input.dirPrefix}.t${n}`;
  mkdirSync(dir, { recursive: true });
  // Written once before anything runs: a restarted runner reuses them.
  const reviewId = readOrWrite(join(dir, ID_FILE), () => `rv-${randomBytes(12).toString('hex')}`);
  const before = readOrWrite(join(dir, BEFORE_FILE), () => '');
  const beforeState = before === '' ? await input.workspaceState() : before;
  if (before === '') writeFileAtomic(join(dir, BEFORE_FILE), beforeState);

  const run = await input.run(dir, buildReviewPrompt({ ...input.prompt, reviewId }));
  const changed = (await input.workspaceState()) !== beforeState;
  const gate = await decide(input, run, reviewId, changed);
  writeFileAtomic(join(dir, GATE_FILE), `${JSON.stringify(gate)}\n`);
  return gate;
}

async function decide(input: AgentReviewInput, run: ReviewerRun, reviewId: string, changed: boolean): Promise<GateResult> {
  const { builtin, reviewer } = input;
  const base = { ...builtin, summary: `${builtin.summary}; agent reviewer ${reviewer}: ` };
  const blocked = (why: string, usage: Usage | null): GateResult => ({ ...base, status: 'BLOCKED', summary: base.summary + why, findings: [], usage });
  if (run.kind === 'unavailable') return blocked(`unavailable: ${run.message}`, null);
  const usage = run.result === null ? null : usageOf(run.result);
  const problem = runProblem(run.outcome, run.result);
  if (problem !== null) return blocked(problem, usage);
  if (changed) return blocked('it changed the workspace (a reviewer must only read); its verdict is not used', usage);
  const message = run.result?.message ?? '';
  const found = extractVerdict(message, reviewId);
  const evidence = await input.putEvidence(JSON.stringify({ reviewer, reviewId, message, ...('verdict' in found ? { verdict: found.verdict } : { problems: found.problems }) }));
  const ref = { kind: 'review' as const, hash: evidence, label: `agent reviewer ${reviewer}` };
  if ('problems' in found) return { ...blocked(`no valid verdict: ${found.problems.join('; ')}`, usage), evidence: [...builtin.evidence, ref] };
  const { verdict } = found;
  const findings: Finding[] = verdict.findings.map((f) => ({
    message: f.message,
    severity: f.severity,
    rule: 'agent_review',
    ...(f.file === undefined ? {} : { file: f.file }),
    ...(f.line === undefined ? {} : { line: f.line }),
    ...(builtin.taskId === undefined ? {} : { taskId: builtin.taskId }),
  }));
  return {
    ...builtin,
    status: verdict.verdict,
    summary: base.summary + `${verdict.verdict}${verdict.summary === undefined ? '' : ` — ${verdict.summary.slice(0, 500)}`}`,
    // A PASS keeps its warnings and notes as findings of record; FAIL findings feed the fix round.
    findings,
    evidence: [...builtin.evidence, ref],
    usage,
  };
}

/** Why the reviewer's run cannot give a verdict, or null when its final message can be read. */
function runProblem(outcome: WorkerOutcome, result: AgentRunResult | null): string | null {
  if (outcome.kind === 'timeout') return `timed out (${outcome.reason})`;
  if (result === null) return 'its adapter reports no result to read a verdict from';
  if (result.state !== 'success') return `its run ended with ${result.state}: ${result.detail}`;
  // Refused tools do not matter here (a reviewer is read-only by design); a failed exit does.
  if (outcome.kind === 'completion' && outcome.status === 'failed') return outcome.summary;
  if (outcome.kind === 'missing' || outcome.kind === 'invalid') return outcome.kind === 'missing' ? outcome.reason : outcome.problems.join('; ');
  return null;
}

function readGate(dir: string): GateResult | null {
  const file = join(dir, GATE_FILE);
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  try {
    return GateResultSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new BuranError({ code: 'store_corrupt', message: `${file} is not a gate result`, details: { file }, cause: error });
  }
}

function readOrWrite(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const value = make();
  if (value !== '') writeFileAtomic(file, value);
  return value;
}
