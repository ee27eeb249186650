// The agent reviewer gate: the built-in rules first, then a reviewer agent
// whose structured verdict is validated. An agent cannot turn a built-in
// FAIL into a PASS, and anything but a valid verdict is BLOCKED.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerEnd } from '../../machines/task.types.js';
import { BuranError, isBuranError } from '../domain/errors.js';
import type { Finding, GateResult } from '../domain/gates.js';
import { GateResultSchema } from '../domain/gates.js';
import type { Usage } from '../domain/usage.js';
import type { AgentRunResult } from '../worker/adapter.js';
import { writeFileDurableSync } from '../platform/durableWrite.js';
import type { ReviewerRun } from '../worker/reviewAttempt.js';
import { usageOf } from '../worker/adapters/agentResult.js';
import { MAX_REVIEW_DIFF_CHARS, type ReviewPromptInput, buildReviewPrompt } from './reviewPrompt.js';
import { extractVerdict } from './verdict.js';

export interface AgentReviewInput {
  /** The built-in review of the same change; it decides alone unless it passed. */
  readonly builtin: GateResult;
  /** The reviewer adapter's name. */
  readonly reviewer: string;
  /**
   * This try's folder (`<runDir>/attempts/review.<attempt|run>.e<epoch>.t<n>`). The caller picks n from
   * the chart (operator retries so far), so a restart finds the same folder and an operator retry a new one.
   */
  readonly dir: string;
  readonly prompt: Omit<ReviewPromptInput, 'reviewId'>;
  /** Runs (or re-attaches to) the reviewer in a folder. */
  readonly run: (dir: string, prompt: string) => Promise<ReviewerRun>;
  /** A fingerprint of the workspace (HEAD and status): the reviewer must leave it unchanged. Throws when it cannot be read. */
  readonly workspaceState: () => Promise<string>;
  /** Stores evidence (JSON text), returns its content hash. */
  readonly putEvidence: (text: string) => Promise<string>;
  /** Removes secrets from the reviewer's text before it is stored as evidence. */
  readonly redact: (text: string) => string;
}

const GATE_FILE = 'gate.json';
const ID_FILE = 'review-id';
const BEFORE_FILE = 'workspace-before';

/**
 * Review one change. The try records its gate result in its folder: called
 * again for the same folder (a restart), a reviewer that is still running is
 * re-attached and a recorded result (PASS, FAIL or BLOCKED) is returned as is.
 */
export async function agentReview(input: AgentReviewInput): Promise<GateResult> {
  const { builtin, dir } = input;
  if (builtin.status !== 'PASS' || builtin.policyViolations.length > 0) return builtin;

  const recorded = readGate(dir);
  if (recorded !== null) return recorded;
  mkdirSync(dir, { recursive: true });
  // Written once before anything runs: a restarted runner reuses them.
  const reviewId = readOrWrite(join(dir, ID_FILE), () => `rv-${randomBytes(12).toString('hex')}`);
  const before = readOrWrite(join(dir, BEFORE_FILE), () => '');
  const beforeState = before === '' ? await stateOrProblem(input) : { state: before };
  if ('problem' in beforeState) return record(dir, blockedGate(input, `the workspace cannot be read, so the reviewer was not started: ${beforeState.problem}`, null));
  if (before === '') writeFileDurableSync(join(dir, BEFORE_FILE), beforeState.state);

  const run = await input.run(dir, buildReviewPrompt({ ...input.prompt, reviewId }));
  const after = await stateOrProblem(input);
  const changed = 'problem' in after ? `the workspace cannot be read after the review (${after.problem})` : after.state !== beforeState.state ? 'it changed the workspace (a reviewer must only read)' : null;
  return record(dir, await decide(input, run, reviewId, changed));
}

function record(dir: string, gate: GateResult): GateResult {
  writeFileDurableSync(join(dir, GATE_FILE), `${JSON.stringify(gate)}\n`);
  return gate;
}

async function stateOrProblem(input: AgentReviewInput): Promise<{ state: string } | { problem: string }> {
  try {
    return { state: await input.workspaceState() };
  } catch (error) {
    if (isBuranError(error) && error.code === 'lease_lost') throw error;
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

function blockedGate(input: AgentReviewInput, why: string, usage: Usage | null): GateResult {
  const { builtin, reviewer } = input;
  return { ...builtin, status: 'BLOCKED', summary: `${builtin.summary}; agent reviewer ${reviewer}: ${why}`, findings: [], usage };
}

async function decide(input: AgentReviewInput, run: ReviewerRun, reviewId: string, changed: string | null): Promise<GateResult> {
  const { builtin, reviewer } = input;
  const blocked = (why: string, usage: Usage | null): GateResult => blockedGate(input, why, usage);
  if (run.kind === 'unavailable') return blocked(`unavailable: ${run.message}`, null);
  // What the tool's own output reports, else what its completion file says (a command reviewer can write one).
  const fromOutcome = run.outcome.kind === 'completion' || run.outcome.kind === 'invalid' ? run.outcome.usage : null;
  const usage = (run.result === null ? null : usageOf(run.result)) ?? fromOutcome;
  const problem = runProblem(run.outcome, run.result);
  if (problem !== null) return blocked(problem, usage);
  if (changed !== null) return blocked(`${changed}; its verdict is not used`, usage);
  const message = input.redact(run.result?.message ?? '');
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
  const said = `${verdict.verdict}${verdict.summary === undefined ? '' : ` — ${verdict.summary.slice(0, 500)}`}`;
  // A PASS on a diff the reviewer saw only in part is no PASS: the rest was never reviewed.
  if (verdict.verdict === 'PASS' && input.prompt.diff.length > MAX_REVIEW_DIFF_CHARS) {
    const tooLarge: Finding = {
      message: `the diff (${input.prompt.diff.length} characters) is longer than the ${MAX_REVIEW_DIFF_CHARS} the reviewer is shown, so its PASS covers only part of the change; split the task or review it by hand`,
      severity: 'error',
      rule: 'review_diff_too_large',
      ...(builtin.taskId === undefined ? {} : { taskId: builtin.taskId }),
    };
    return { ...blocked(`${said}, but the diff was cut for the reviewer: not a PASS`, usage), findings: [tooLarge, ...findings], evidence: [...builtin.evidence, ref] };
  }
  return {
    ...builtin,
    status: verdict.verdict,
    summary: `${builtin.summary}; agent reviewer ${reviewer}: ${said}`,
    // A PASS keeps its warnings and notes as findings of record; FAIL findings feed the fix round.
    findings,
    evidence: [...builtin.evidence, ref],
    usage,
  };
}

/** Why the reviewer's run cannot give a verdict, or null when its final message can be read. */
function runProblem(outcome: WorkerEnd, result: AgentRunResult | null): string | null {
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
  if (value !== '') writeFileDurableSync(file, value);
  return value;
}
