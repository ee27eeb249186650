// The `claude` adapter: Claude Code in print mode (`claude -p`), following
// @anthropic-ai/claude-code 2.1.197. The prompt arrives on stdin; stdout is
// stream-json (one JSON object per line, the `result` object last).
import type { AgentRunResult, AttemptOutput, WorkerAdapter } from '../adapter.js';
import { type AgentAdapterOptions, type AgentCliSpec, agentSettings, buildAgentEnv, checkAgentCli, agentSandboxPaths } from './agentCli.js';
import { count, deriveAgentOutcome, emptyResult, isRecord, parseJsonLines, text } from './agentResult.js';

export const CLAUDE_CLI: AgentCliSpec = {
  name: 'claude',
  packageName: '@anthropic-ai/claude-code',
  testedVersion: '2.1.197',
  minVersion: [2, 1, 0],
  belowVersion: [3, 0, 0],
  keyEnv: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
  homeConfig: ['.claude/settings.json', '.claude/.credentials.json'],
  // A self-update mid-run would change the binary under a running attempt.
  fixedEnv: { DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
};

/** Tools a reviewer may not use: it reads and answers, it does not change the workspace. */
const REVIEWER_DENIED_TOOLS = ['Edit', 'Write', 'NotebookEdit', 'Bash'];

/**
 * @example
 * createAdapterRegistry([createCommandAdapter(), createClaudeAdapter({ projectRoot: repo })])
 */
export function createClaudeAdapter(options: AgentAdapterOptions = {}): WorkerAdapter {
  return {
    name: CLAUDE_CLI.name,
    awaitExit: true,
    sandboxPaths: agentSandboxPaths(CLAUDE_CLI),
    check: (ctx) => checkAgentCli(ctx, CLAUDE_CLI, options),
    buildInvocation(ctx) {
      const s = agentSettings(ctx, CLAUDE_CLI, options.projectRoot);
      const mode = s.reviewer
        ? ['--permission-mode', 'default', '--disallowedTools', REVIEWER_DENIED_TOOLS.join(',')]
        : // acceptEdits approves edits inside the working directory; --add-dir lets the agent write its completion file.
          ['--permission-mode', 'acceptEdits', '--add-dir', s.attemptDir];
      return {
        argv: [
          s.executable,
          '-p',
          // --add-dir and --disallowedTools take several values: the next option ends them.
          ...mode,
          '--output-format',
          'stream-json',
          '--verbose',
          '--max-turns',
          String(s.maxTurns),
          ...(s.model === undefined ? [] : ['--model', s.model]),
          ...s.extraArgs,
        ],
        env: buildAgentEnv(ctx, CLAUDE_CLI),
        cwd: ctx.workspace,
        stdinFile: ctx.promptFile,
      };
    },
    deriveOutcome: (exit, completion, output) => deriveAgentOutcome(CLAUDE_CLI.name, exit, completion, parseClaudeResult(output)),
    parseResult: parseClaudeResult,
  };
}

/**
 * Claude Code's stream-json (or json: the same `result` object on one line).
 * Read `is_error` and the exit code, never `subtype` alone: an API error is
 * `is_error: true` with `subtype: "success"`. A max-turns stop is
 * `subtype: "error_max_turns"` / `terminal_reason: "max_turns"`.
 */
export function parseClaudeResult(output: AttemptOutput): AgentRunResult {
  const lines = parseJsonLines(output.stdoutTail, output.stdoutTruncated);
  if (lines.bad !== null) return emptyResult('malformed', `a line is not JSON: ${lines.bad}`);
  let sessionId: string | null = null;
  let lastText: string | null = null;
  let result: Record<string, unknown> | null = null;
  for (const record of lines.records) {
    sessionId = text(record['session_id']) ?? sessionId;
    if (record['type'] === 'assistant') lastText = assistantText(record) ?? lastText;
    if (record['type'] === 'result') result = record;
  }
  if (result === null) {
    const why = lines.records.length === 0 ? 'nothing on stdout' : lines.cut ? 'output cut off mid-line' : 'no result line';
    return { ...emptyResult('no_result', why), sessionId, message: lastText };
  }
  const isError = result['is_error'];
  if (typeof isError !== 'boolean') return { ...emptyResult('malformed', 'the result line has no boolean is_error'), sessionId };
  const subtype = text(result['subtype']) ?? '(none)';
  const usage = isRecord(result['usage']) ? result['usage'] : {};
  const input = count(usage['input_tokens']);
  const cacheWrite = count(usage['cache_creation_input_tokens']) ?? 0;
  const cacheRead = count(usage['cache_read_input_tokens']) ?? 0;
  const cost = result['total_cost_usd'];
  const maxTurns = subtype === 'error_max_turns' || result['terminal_reason'] === 'max_turns';
  const state = maxTurns ? 'max_turns' : isError || subtype !== 'success' ? 'error' : 'success';
  const message = text(result['result']);
  return {
    state,
    message: message ?? lastText,
    sessionId: text(result['session_id']) ?? sessionId,
    inputTokens: input === null ? null : input + cacheWrite + cacheRead,
    outputTokens: count(usage['output_tokens']),
    costUsd: typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : null,
    permissionDenials: denials(result['permission_denials']),
    detail: detailOf(state, subtype, result, message),
    evidence: JSON.stringify(result),
  };
}

function assistantText(record: Record<string, unknown>): string | null {
  const message = record['message'];
  if (!isRecord(message) || !Array.isArray(message['content'])) return null;
  const parts = message['content'].filter(isRecord).flatMap((block) => (block['type'] === 'text' && typeof block['text'] === 'string' ? [block['text']] : []));
  return parts.length === 0 ? null : parts.join('\n');
}

function denials(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => (isRecord(entry) ? (text(entry['tool_name']) ?? 'unknown tool') : 'unknown tool'));
}

function detailOf(state: string, subtype: string, result: Record<string, unknown>, message: string | null): string {
  const turns = count(result['num_turns']);
  if (state === 'max_turns' || state === 'success') return `subtype ${subtype}${turns === null ? '' : `, ${turns} turns`}`;
  const status = result['api_error_status'];
  const errors = Array.isArray(result['errors']) ? result['errors'].filter((e): e is string => typeof e === 'string') : [];
  return [
    message ?? `subtype ${subtype}`,
    typeof status === 'number' || typeof status === 'string' ? `API status ${status}` : null,
    errors.length > 0 ? errors.join('; ') : null,
  ]
    .filter((part) => part !== null)
    .join(' — ')
    .slice(0, 2000);
}
