// The `gemini` adapter: Gemini CLI in headless mode, following
// @google/gemini-cli 0.61.0. The prompt arrives on stdin (the CLI reads piped
// stdin and appends the `--prompt` text to it); stdout is stream-json.
import type { ModelPrice } from '../../domain/config.js';
import type { AgentRunResult, AttemptOutput, WorkerAdapter } from '../adapter.js';
import { type AgentAdapterOptions, type AgentCliSpec, type TokenCounts, agentSettings, buildAgentEnv, checkAgentCli, priceTokens, agentSandboxPaths } from './agentCli.js';
import { count, deriveAgentOutcome, emptyResult, isRecord, parseJsonLines, text } from './agentResult.js';

export const GEMINI_CLI: AgentCliSpec = {
  name: 'gemini',
  packageName: '@google/gemini-cli',
  testedVersion: '0.61.0',
  minVersion: [0, 61, 0],
  belowVersion: [0, 62, 0],
  keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GEMINI_BASE_URL'],
  homeConfig: ['.gemini/settings.json', '.gemini/oauth_creds.json', '.gemini/google_accounts.json'],
};

/** Appended by the CLI after the prompt read from stdin; `--prompt` is also what makes the run headless. */
export const GEMINI_PROMPT_ARG = 'Follow the brief above.';

/** Exit code of Gemini CLI 0.61.0 when the session turn limit was reached. */
export const GEMINI_EXIT_TURN_LIMIT = 53;

/** @example createAdapterRegistry([createGeminiAdapter({ prices: config.adapters.gemini?.prices })]) */
export function createGeminiAdapter(options: AgentAdapterOptions = {}): WorkerAdapter {
  const parse = (output: AttemptOutput) => parseGeminiResult(output, options.prices);
  return {
    name: GEMINI_CLI.name,
    awaitExit: true,
    sandboxPaths: agentSandboxPaths(GEMINI_CLI),
    async check(ctx) {
      // 0.61.0 has no turn-limit flag (only model.maxSessionTurns in its settings.json): refuse a bound buran cannot enforce.
      if (ctx.config.adapters[GEMINI_CLI.name]?.maxTurns !== undefined) {
        return {
          available: false,
          message: 'adapters.gemini.maxTurns cannot be enforced: Gemini CLI 0.61.0 has no turn-limit flag',
          details: { adapter: GEMINI_CLI.name, hint: 'Remove adapters.gemini.maxTurns and set model.maxSessionTurns in ~/.gemini/settings.json; limits.taskTimeoutSec bounds every attempt.' },
        };
      }
      return checkAgentCli(ctx, GEMINI_CLI, options);
    },
    buildInvocation(ctx) {
      const s = agentSettings(ctx, GEMINI_CLI, options.projectRoot);
      return {
        argv: [
          s.executable,
          '--output-format',
          'stream-json',
          // auto_edit approves edit tools only; plan is read-only.
          '--approval-mode',
          s.reviewer ? 'plan' : 'auto_edit',
          // Headless runs refuse an untrusted folder; this trusts the worktree for this session only.
          '--skip-trust',
          ...(s.reviewer ? [] : ['--include-directories', s.attemptDir]),
          ...(s.model === undefined ? [] : ['--model', s.model]),
          ...s.extraArgs,
          '--prompt',
          GEMINI_PROMPT_ARG,
        ],
        env: buildAgentEnv(ctx, GEMINI_CLI),
        cwd: ctx.workspace,
        stdinFile: ctx.promptFile,
      };
    },
    deriveOutcome(exit, completion, output) {
      const result = parse(output);
      // The turn limit is also visible in the exit code alone.
      const limited = exit?.record.code === GEMINI_EXIT_TURN_LIMIT && result.state !== 'success' ? { ...result, state: 'max_turns' as const } : result;
      return deriveAgentOutcome(GEMINI_CLI.name, exit, completion, limited);
    },
    parseResult: parse,
  };
}

/**
 * Gemini's stream-json: `init` (session_id, model), `message` (user, then
 * assistant deltas), `tool_use`, `tool_result`, `error` (severity warning or
 * error), and a final `result` (status success | error, error, stats with
 * input/output tokens per model). No cost: priced from `prices`, else unknown.
 * An `error` event of severity error fails the run even if the result says
 * success.
 */
export function parseGeminiResult(output: AttemptOutput, prices?: Readonly<Record<string, ModelPrice>>): AgentRunResult {
  const lines = parseJsonLines(output.stdoutTail, output.stdoutTruncated);
  if (lines.bad !== null) return emptyResult('malformed', `a line is not JSON: ${lines.bad}`);
  let sessionId: string | null = null;
  let answer = '';
  let result: Record<string, unknown> | null = null;
  const errors: string[] = [];
  for (const record of lines.records) {
    const type = text(record['type']);
    if (type === 'init') sessionId = text(record['session_id']) ?? sessionId;
    if (type === 'message' && record['role'] === 'assistant') answer += text(record['content']) ?? '';
    if (type === 'tool_use' || type === 'tool_result') answer = ''; // the final message is what came after the last tool
    if (type === 'error' && record['severity'] === 'error') errors.push(text(record['message']) ?? 'error event');
    if (type === 'result') result = record;
  }
  const message = answer === '' ? null : answer;
  if (result === null) {
    const why = lines.records.length === 0 ? 'nothing on stdout' : lines.cut ? 'output cut off mid-line' : 'no result event';
    return { ...emptyResult('no_result', errors.length > 0 ? `${why}; errors: ${errors.join('; ')}` : why), sessionId, message };
  }
  const stats = isRecord(result['stats']) ? result['stats'] : {};
  const byModel = new Map<string, TokenCounts>();
  if (isRecord(stats['models'])) {
    for (const [model, value] of Object.entries(stats['models'])) {
      if (!isRecord(value)) continue;
      const input = count(value['input_tokens']);
      const out = outputTokens(value);
      if (input !== null && out !== null) byModel.set(model, { input, cachedInput: count(value['cached']) ?? 0, output: out });
    }
  }
  const status = text(result['status']);
  const error = isRecord(result['error']) ? result['error'] : null;
  const errorText = error === null ? null : `${text(error['type']) ?? 'error'}: ${text(error['message']) ?? ''}`;
  const limited = /turn/i.test(text(error?.['type']) ?? '') || /max(imum)? session turns/i.test(`${errorText ?? ''} ${errors.join(' ')}`);
  const state = status === 'success' && errors.length === 0 ? 'success' : status === 'success' || status === 'error' ? (limited ? 'max_turns' : 'error') : 'malformed';
  return {
    state,
    message,
    sessionId,
    inputTokens: count(stats['input_tokens']),
    outputTokens: outputTokens(stats),
    costUsd: priceTokens(byModel, prices),
    permissionDenials: [],
    detail: state === 'malformed' ? `result status is ${JSON.stringify(result['status'])}` : [errorText, ...errors].filter((e) => e !== null).join('; ') || `status ${status}`,
    evidence: JSON.stringify(result),
  };
}

/**
 * Output tokens including thinking: 0.61.0's `output_tokens` leaves thoughts
 * out and counts them only in `total_tokens`, and they are billed as output,
 * so the larger of the two readings is taken (spend is never under-counted).
 */
function outputTokens(stats: Record<string, unknown>): number | null {
  const output = count(stats['output_tokens']);
  const total = count(stats['total_tokens']);
  const input = count(stats['input_tokens']);
  if (output === null) return null;
  return total === null || input === null ? output : Math.max(output, total - input);
}
