// The result an agent CLI reports on stdout, in one shape for every CLI, and
// the rules that turn it (with the exit record and the completion file) into
// a WorkerEnd. Pure.
import type { WorkerEnd } from '../../../machines/task.types.js';
import { MAX_SUMMARY_CHARS } from '../../domain/completion.js';
import type { Usage } from '../../domain/usage.js';
import type { AgentRunResult, AgentRunState } from '../adapter.js';
import { sha256 } from '../../domain/hash.js';
import { type CompletionFileState, type ExitInfo, SUPERVISOR_DIED, describeExit } from '../completionFile.js';
import { sanitizeForDisplay } from '../tail.js';

/** A result with nothing known but its state and why. */
export function emptyResult(state: AgentRunState, detail: string): AgentRunResult {
  return { state, message: null, sessionId: null, inputTokens: null, outputTokens: null, costUsd: null, permissionDenials: [], detail, evidence: null };
}

/** A JSON-lines stream, split and parsed; `bad` is the first line that is not a JSON object. */
export interface JsonLines {
  readonly records: readonly Record<string, unknown>[];
  readonly bad: string | null;
  /** The last line had no newline and did not parse: the stream was cut off mid-line. */
  readonly cut: boolean;
}

/**
 * Parse newline-delimited JSON objects. When `truncated` (the text is the end
 * of a longer file) its first line is partial and skipped. Blank lines are
 * ignored.
 */
export function parseJsonLines(text: string, truncated: boolean): JsonLines {
  const lines = text.split('\n');
  if (truncated) lines.shift();
  const records: Record<string, unknown>[] = [];
  let bad: string | null = null;
  let cut = false;
  lines.forEach((line, index) => {
    if (bad !== null || line.trim() === '') return;
    const value = parseObject(line);
    if (value !== null) records.push(value);
    else if (index === lines.length - 1 && !text.endsWith('\n')) cut = true;
    else bad = line.slice(0, 200);
  });
  return { records, bad, cut };
}

function parseObject(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return isRecord(value) ? value : null;
  } catch {
    return null; // not JSON: the caller reports the line
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative integer count, or null. */
export function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

export function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The result's spend as Usage; tokens or cost unknown → counted as an attempt with unknown usage. */
export function usageOf(result: AgentRunResult): Usage | null {
  if (result.inputTokens === null && result.outputTokens === null && result.costUsd === null) return null;
  const known = result.inputTokens !== null && result.outputTokens !== null && result.costUsd !== null;
  return {
    inputTokens: result.inputTokens ?? 0,
    outputTokens: result.outputTokens ?? 0,
    costUsd: result.costUsd ?? 0,
    unknownAttempts: known ? 0 : 1,
  };
}

function clip(value: string, max = MAX_SUMMARY_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/**
 * The outcome of an agent attempt, checked in this order (fail closed: any
 * doubt is a failure, never a success):
 *
 * | what was seen | outcome |
 * |---|---|
 * | completion file present but invalid | `invalid` |
 * | result `error` / `max_turns` | completion `failed` |
 * | stdout not the CLI's format (`malformed`) | `invalid` |
 * | no final result (`no_result`) | `missing` |
 * | result `success`, but the process exited non-zero | completion `failed` |
 * | result `success` with permission denials | completion `blocked` |
 * | result `success`, valid completion file | the file's status and summary |
 * | result `success`, no completion file | completion `completed`, summary = the final message |
 *
 * Usage always comes from the CLI's own report, never from the file. The
 * digest of a derived completion is `sha256:` of the result line.
 */
export function deriveAgentOutcome(name: string, exit: ExitInfo | null, completion: CompletionFileState, result: AgentRunResult): WorkerEnd {
  const usage = usageOf(result);
  const digest = result.evidence === null ? null : sha256(result.evidence);
  if (completion.state === 'invalid') return { kind: 'invalid', digest: completion.digest, problems: completion.problems, usage };
  const failed = (summary: string): WorkerEnd => ({
    kind: 'completion',
    status: 'failed',
    digest: digest ?? (exit === null ? sha256(summary) : exit.digest),
    summary: clip(summary),
    changedFiles: [],
    usage,
  });
  switch (result.state) {
    case 'error':
      return failed(`${name} reported an error: ${result.detail}`);
    case 'max_turns':
      return failed(`${name} reached its turn limit before finishing (${result.detail}); raise adapters.${name}.maxTurns or split the task`);
    case 'malformed':
      return { kind: 'invalid', digest, problems: [`${name} output is not in its documented format: ${result.detail}`], usage };
    case 'no_result':
      return { kind: 'missing', reason: `${name} ${exit === null ? SUPERVISOR_DIED : describeExit(exit.record)} without a final result (${result.detail})` };
    case 'success':
      break;
  }
  if (exit !== null && exit.record.code !== null && exit.record.code !== 0) {
    return failed(`${name} reported success but ${describeExit(exit.record)}`);
  }
  const evidenceDigest = digest ?? (exit === null ? sha256(result.detail) : exit.digest);
  if (result.permissionDenials.length > 0) {
    return {
      kind: 'completion',
      status: 'blocked',
      digest: evidenceDigest,
      summary: clip(
        `${name} was refused ${result.permissionDenials.length} tool use(s): ${result.permissionDenials.join(', ')}. ` +
          `The task may not be done. Allow what it needs (adapters.${name}.extraArgs, e.g. --allowedTools) or change the task, then retry.`,
      ),
      changedFiles: [],
      usage,
    };
  }
  if (completion.state === 'valid') {
    const file = completion.completion;
    return { kind: 'completion', status: file.status, digest: completion.digest, summary: clip(sanitizeForDisplay(file.summary)), changedFiles: file.changedFiles ?? [], usage };
  }
  return {
    kind: 'completion',
    status: 'completed',
    digest: evidenceDigest,
    summary: clip(result.message === null || result.message.trim() === '' ? `${name} finished (no final message)` : result.message.trim()),
    changedFiles: [],
    usage,
  };
}
