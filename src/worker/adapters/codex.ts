// The `codex` adapter: `codex exec` (non-interactive), following
// @openai/codex 0.169.0. The prompt arrives on stdin (`-` as the prompt
// argument: codex reads stdin to its end, and the supervisor gives it the
// prompt file there, /dev/null otherwise). stdout is JSON lines (`--json`).
import type { ModelPrice } from '../../domain/config.js';
import type { AgentRunResult, AttemptOutput, WorkerAdapter } from '../adapter.js';
import { type AgentAdapterOptions, type AgentCliSpec, type TokenCounts, agentSettings, buildAgentEnv, checkAgentCli, priceTokens, agentSandboxPaths } from './agentCli.js';
import { count, deriveAgentOutcome, emptyResult, isRecord, parseJsonLines, text } from './agentResult.js';

export const CODEX_CLI: AgentCliSpec = {
  name: 'codex',
  packageName: '@openai/codex',
  testedVersion: '0.169.0',
  // 0.x: a minor release may change the event stream.
  minVersion: [0, 169, 0],
  belowVersion: [0, 170, 0],
  keyEnv: ['OPENAI_API_KEY', 'CODEX_API_KEY', 'OPENAI_BASE_URL'],
  homeConfig: ['.codex/config.toml', '.codex/auth.json'],
  configHomeEnv: 'CODEX_HOME',
};

/** @example createAdapterRegistry([createCodexAdapter({ prices: config.adapters.codex?.prices })]) */
export function createCodexAdapter(options: AgentAdapterOptions = {}): WorkerAdapter {
  const parse = (output: AttemptOutput) => parseCodexResult(output, options.prices);
  return {
    name: CODEX_CLI.name,
    awaitExit: true,
    sandboxPaths: agentSandboxPaths(CODEX_CLI),
    check: (ctx) => checkAgentCli(ctx, CODEX_CLI, options),
    buildInvocation(ctx) {
      const s = agentSettings(ctx, CODEX_CLI, options.projectRoot);
      const mode = codexSandboxMode({ reviewer: s.reviewer, sandboxed: ctx.sandboxed === true });
      return {
        argv: [
          s.executable,
          'exec',
          '--json',
          '--skip-git-repo-check',
          '--ephemeral',
          '--color',
          'never',
          '-s',
          mode,
          '-C',
          ctx.workspace,
          // workspace-write allows writes in the workspace only; the completion file lives in the attempt folder.
          ...(mode === 'workspace-write' ? ['--add-dir', s.attemptDir] : []),
          ...(s.model === undefined ? [] : ['-m', s.model]),
          ...s.extraArgs,
          '-',
        ],
        env: buildAgentEnv(ctx, CODEX_CLI),
        cwd: ctx.workspace,
        stdinFile: ctx.promptFile,
      };
    },
    deriveOutcome: (exit, completion, output) => deriveAgentOutcome(CODEX_CLI.name, exit, completion, parse(output)),
    parseResult: parse,
  };
}

/** Codex's own command sandbox (`-s`). */
export type CodexSandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';

/**
 * Outside buran's sandbox a worker gets `workspace-write` (the worktree, plus
 * the attempt folder through `--add-dir`: the completion file goes there) and a
 * reviewer `read-only`.
 *
 * Inside buran's sandbox (`sandboxed`) a worker gets `danger-full-access`: the
 * outer sandbox already confines its writes, and codex's own one nested in it
 * works only when CODEX_HOME is writable and outside the temp dir. (With a
 * system bwrap older than 0.9, which has no `--argv0`, codex re-executes itself
 * through a `codex-linux-sandbox` link it creates under CODEX_HOME, and it
 * refuses to create that link under the temp dir; every command then fails with
 * `bwrap: execvp codex-linux-sandbox` while the turn still completes.) The
 * price: the agent's shell commands get the network the outer sandbox gives
 * the CLI (for the model API), as Claude Code's Bash and Gemini's shell tool
 * have by default. A reviewer stays `read-only` either way: the outer sandbox
 * leaves the worktree writable, so only codex keeps a reviewer from writing.
 */
export function codexSandboxMode(options: { reviewer: boolean; sandboxed: boolean }): CodexSandboxMode {
  if (options.reviewer) return 'read-only';
  return options.sandboxed ? 'danger-full-access' : 'workspace-write';
}

/** The model named on the command line (`-m` / `--model`), which is what the price table is keyed by. */
export function modelFromArgv(argv: readonly string[] | null): string | null {
  if (argv === null) return null;
  let model: string | null = null;
  argv.forEach((arg, i) => {
    if ((arg === '-m' || arg === '--model') && argv[i + 1] !== undefined) model = argv[i + 1] ?? null;
    else if (arg.startsWith('--model=')) model = arg.slice('--model='.length);
  });
  return model;
}

/**
 * Codex's JSON lines: `thread.started` (thread_id), `turn.started`,
 * `item.*` (agent_message text, command_execution, error items),
 * `turn.completed` (usage) or `turn.failed` (error), top-level `error`.
 * Codex reports no cost: it is computed from `prices` for the model on the
 * command line, else unknown.
 */
export function parseCodexResult(output: AttemptOutput, prices?: Readonly<Record<string, ModelPrice>>): AgentRunResult {
  const lines = parseJsonLines(output.stdoutTail, output.stdoutTruncated);
  if (lines.bad !== null) return emptyResult('malformed', `a line is not JSON: ${lines.bad}`);
  let sessionId: string | null = null;
  let message: string | null = null;
  let completed: Record<string, unknown> | null = null;
  let failure: string | null = null;
  const warnings: string[] = [];
  const tokens = { input: 0, cachedInput: 0, output: 0, seen: false };
  for (const record of lines.records) {
    const type = text(record['type']);
    if (type === 'thread.started') sessionId = text(record['thread_id']) ?? sessionId;
    if (type === 'item.completed' && isRecord(record['item'])) {
      const item = record['item'];
      if (item['type'] === 'agent_message') message = text(item['text']) ?? message;
      if (item['type'] === 'error') warnings.push(text(item['message']) ?? 'error item');
    }
    if (type === 'turn.completed') {
      completed = record;
      const usage = isRecord(record['usage']) ? record['usage'] : {};
      const input = count(usage['input_tokens']);
      const out = count(usage['output_tokens']);
      if (input !== null && out !== null) {
        tokens.seen = true;
        tokens.input += input;
        tokens.cachedInput += count(usage['cached_input_tokens']) ?? 0;
        tokens.output += out;
      }
    }
    if (type === 'turn.failed') failure = errorMessage(record['error']) ?? 'turn failed';
    if (type === 'error') failure ??= text(record['message']) ?? 'error event';
  }
  const model = modelFromArgv(output.argv);
  const byModel = new Map<string, TokenCounts>(tokens.seen && model !== null ? [[model, tokens]] : []);
  const spend = {
    inputTokens: tokens.seen ? tokens.input : null,
    outputTokens: tokens.seen ? tokens.output : null,
    costUsd: priceTokens(byModel, prices),
  };
  const base = { message, sessionId, ...spend, permissionDenials: [] as string[] };
  const notes = warnings.length > 0 ? ` (warnings: ${warnings.join('; ').slice(0, 1000)})` : '';
  // A failed turn is final; an `error` event followed by a completed turn was recovered from.
  const failedLast = lines.records.findLastIndex((r) => r['type'] === 'turn.failed') > lines.records.findLastIndex((r) => r['type'] === 'turn.completed');
  if (failedLast || (completed === null && failure !== null)) {
    return { ...base, state: 'error', detail: `${failure ?? 'turn failed'}${notes}`, evidence: JSON.stringify(lines.records.at(-1) ?? {}) };
  }
  if (completed === null) {
    const why = lines.records.length === 0 ? 'nothing on stdout' : lines.cut ? 'output cut off mid-line' : 'no turn.completed event';
    return { ...base, state: 'no_result', detail: why, evidence: null };
  }
  return { ...base, state: 'success', detail: `turn completed${notes}`, evidence: JSON.stringify(completed) + (message ?? '') };
}

function errorMessage(value: unknown): string | null {
  return isRecord(value) ? text(value['message']) : text(value);
}
