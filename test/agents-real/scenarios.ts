// The scripted conversations the real clients are driven through, shared by
// the recordings (scripts/record-agent-outputs.ts) and the real-binary tests.
import { join } from 'node:path';
import { hasToolResult, primaryWorkingDirectory, userText, type AnthropicScript, type TurnUsage } from './standins/anthropic.js';
import { hasFunctionResponse, type GeminiScript, type GeminiUsage } from './standins/gemini.js';
import { functionCallOutputs, type ResponsesScript, type ResponsesUsage } from './standins/openai.js';

export const CLAUDE_MODEL = 'claude-sonnet-4-5';
export const CODEX_MODEL = 'gpt-5.5';
export const PROMPT = 'Create hello.txt in the working directory with the text "hello from the stand-in". (buran real-binary scenario)';
export const FILE_NAME = 'hello.txt';
export const FILE_CONTENT = 'hello from the stand-in\n';
export const FINAL_TEXT = 'Created hello.txt.';

/** Distinct numbers per answer, so a test can tell a sum from a copy. */
export const CLAUDE_TURN_USAGE: readonly TurnUsage[] = [
  { input_tokens: 1200, output_tokens: 80, cache_creation_input_tokens: 400, cache_read_input_tokens: 300 },
  { input_tokens: 1500, output_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 1600 },
];
const claudeUsage = (index: number): TurnUsage => CLAUDE_TURN_USAGE[Math.min(index, CLAUDE_TURN_USAGE.length - 1)] ?? { input_tokens: 1, output_tokens: 1 };

function workingDirectoryOf(request: Parameters<AnthropicScript>[0]): string {
  const cwd = primaryWorkingDirectory(request);
  if (cwd === null) throw new Error('the request has no "Primary working directory:" line in its system prompt');
  return cwd;
}

/** Turn 1: Write `relativePath` (under the working directory); once the tool result is back: the final text. */
export const claudeWritesFileAt = (relativePath: string, content: string): AnthropicScript => (request, index) =>
  hasToolResult(request)
    ? { kind: 'text', text: FINAL_TEXT, usage: claudeUsage(index) }
    : { kind: 'tool_use', name: 'Write', input: { file_path: join(workingDirectoryOf(request), relativePath), content }, text: 'Writing the file.', usage: claudeUsage(index) };

export const claudeWritesFile: AnthropicScript = claudeWritesFileAt(FILE_NAME, FILE_CONTENT);

/** The usage the stand-in reports over its first `answers` answers. */
export function claudeUsageOver(answers: number): Required<TurnUsage> {
  const all = Array.from({ length: answers }, (_, i) => claudeUsage(i));
  const total = (pick: (u: TurnUsage) => number | undefined): number => all.reduce((a, u) => a + (pick(u) ?? 0), 0);
  return {
    input_tokens: total((u) => u.input_tokens),
    output_tokens: total((u) => u.output_tokens),
    cache_creation_input_tokens: total((u) => u.cache_creation_input_tokens),
    cache_read_input_tokens: total((u) => u.cache_read_input_tokens),
  };
}

/** Where buran's prompt asks for the completion file, and the ids it must carry (from the prompt's example). */
export function completionContract(prompt: string): { path: string; ids: Record<string, unknown> } {
  const path = /write one JSON file to this path[^\n]*\n\n(`{3,})text\n(.+)\n\1/.exec(prompt)?.[2];
  const example = /(`{3,})json\n([\s\S]+?)\n\1/.exec(prompt)?.[2];
  if (path === undefined || example === undefined) throw new Error('the prompt has no completion contract');
  const { schema, runId, taskId, attemptId, epoch } = JSON.parse(example) as Record<string, unknown>;
  return { path, ids: { schema, runId, taskId, attemptId, epoch } };
}

const toolResults = (request: Parameters<AnthropicScript>[0]): number =>
  request.messages.filter((m) => Array.isArray(m.content) && m.content.some((b) => (b as { type?: unknown }).type === 'tool_result')).length;

/**
 * An agent that follows buran's brief: Write `relativePath`, then Write the
 * completion file the prompt names (status completed, `summary`), then end
 * the turn.
 */
export const claudeFollowsBrief = (relativePath: string, content: string, summary: string): AnthropicScript => (request, index) => {
  const usage = claudeUsage(index);
  switch (toolResults(request)) {
    case 0:
      return { kind: 'tool_use', name: 'Write', input: { file_path: join(workingDirectoryOf(request), relativePath), content }, usage };
    case 1: {
      const contract = completionContract(userText(request));
      const completion = { ...contract.ids, status: 'completed', summary, changedFiles: [relativePath] };
      return { kind: 'tool_use', name: 'Write', input: { file_path: contract.path, content: `${JSON.stringify(completion, null, 2)}\n` }, usage };
    }
    default:
      return { kind: 'text', text: FINAL_TEXT, usage };
  }
};

/** Asks to write outside the working directory (acceptEdits refuses), then ends the turn anyway. */
export const claudeWritesOutside = (outsidePath: string): AnthropicScript => (request, index) =>
  hasToolResult(request)
    ? { kind: 'text', text: FINAL_TEXT, usage: claudeUsage(index) }
    : { kind: 'tool_use', name: 'Write', input: { file_path: outsidePath, content: FILE_CONTENT }, usage: claudeUsage(index) };

/** Never ends the turn: every answer is another Write, so `--max-turns` trips. */
export const claudeEndlessTools: AnthropicScript = (request, index) => ({
  kind: 'tool_use',
  name: 'Write',
  input: { file_path: join(workingDirectoryOf(request), FILE_NAME), content: `round ${index + 1}\n` },
  usage: claudeUsage(index),
});

export const claudeHttpError = (status: number, errorType: string, message: string): AnthropicScript => () => ({ kind: 'http_error', status, errorType, message });
export const claudeGarbled: AnthropicScript = () => ({ kind: 'garbled' });

export interface ClaudeScenario {
  readonly name: string;
  readonly description: string;
  readonly maxTurns: number;
  /** `home` is the throwaway HOME of the run (outside the working directory). */
  readonly script: (home: string) => AnthropicScript;
}

export const CLAUDE_SCENARIOS: readonly ClaudeScenario[] = [
  { name: 'success', description: 'Write tool call creating hello.txt, tool result, final text (end_turn)', maxTurns: 5, script: () => claudeWritesFile },
  { name: 'tool-denied', description: 'Write tool call outside the working directory (refused under acceptEdits), then end_turn', maxTurns: 5, script: (home) => claudeWritesOutside(join(home, 'outside.txt')) },
  { name: 'max-turns', description: 'every answer is another Write tool call; --max-turns 2', maxTurns: 2, script: () => claudeEndlessTools },
  { name: 'api-500', description: 'every request answered HTTP 500 api_error', maxTurns: 5, script: () => claudeHttpError(500, 'api_error', 'Internal server error') },
  { name: 'api-401', description: 'every request answered HTTP 401 authentication_error', maxTurns: 5, script: () => claudeHttpError(401, 'authentication_error', 'invalid x-api-key') },
  { name: 'garbled', description: 'every request answered 200 with a body that is neither SSE nor JSON', maxTurns: 5, script: () => claudeGarbled },
];

export const CLAUDE_FORMATS = ['json', 'stream-json'] as const;
export type ClaudeFormat = (typeof CLAUDE_FORMATS)[number];

/** The command line of the client-alone scenarios, prompt as an argument with stdin closed (buran itself passes the prompt file on stdin: Invocation.stdinFile). */
export function claudeArgs(format: ClaudeFormat, maxTurns: number, prompt = PROMPT): string[] {
  return [
    '-p',
    prompt,
    '--output-format',
    format,
    ...(format === 'stream-json' ? ['--verbose'] : []),
    '--model',
    CLAUDE_MODEL,
    '--permission-mode',
    'acceptEdits',
    '--max-turns',
    String(maxTurns),
    '--no-session-persistence',
  ];
}

export const CODEX_TURN_USAGE: readonly ResponsesUsage[] = [
  { input_tokens: 2100, cached_input_tokens: 1024, output_tokens: 60, reasoning_output_tokens: 12 },
  { input_tokens: 2300, cached_input_tokens: 2048, output_tokens: 18, reasoning_output_tokens: 0 },
];
const codexUsage = (index: number): ResponsesUsage => CODEX_TURN_USAGE[Math.min(index, CODEX_TURN_USAGE.length - 1)] ?? { input_tokens: 1, output_tokens: 1 };

/** A shell command (run by codex in its working directory) that writes `content` to `relativePath`. */
export function writeCommand(relativePath: string, content: string): string {
  const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
  return `mkdir -p "$(dirname ${quote(relativePath)})" && printf '%s' ${quote(content)} > ${quote(relativePath)}`;
}

/** Turn 1: exec_command writing the file; once its output is back: the final message. */
export const codexWritesFileAt = (relativePath: string, content: string): ResponsesScript => (request, index) =>
  functionCallOutputs(request).length > 0
    ? { kind: 'message', text: FINAL_TEXT, usage: codexUsage(index) }
    : { kind: 'function_call', name: 'exec_command', arguments: { cmd: writeCommand(relativePath, content) }, usage: codexUsage(index) };

export const codexWritesFile: ResponsesScript = codexWritesFileAt(FILE_NAME, FILE_CONTENT);

/** Turn 1: a command that fails (exit 3); then the final message. */
export const codexCommandFails: ResponsesScript = (request, index) =>
  functionCallOutputs(request).length > 0
    ? { kind: 'message', text: 'The command failed.', usage: codexUsage(index) }
    : { kind: 'function_call', name: 'exec_command', arguments: { cmd: 'echo failing >&2; exit 3' }, usage: codexUsage(index) };

export interface CodexScenario {
  readonly name: string;
  readonly description: string;
  readonly model: string;
  readonly script: ResponsesScript;
}

export const CODEX_SCENARIOS: readonly CodexScenario[] = [
  { name: 'success', description: 'exec_command writing hello.txt, its output, final agent message', model: CODEX_MODEL, script: codexWritesFile },
  { name: 'command-fails', description: 'exec_command exiting 3, then a final agent message', model: CODEX_MODEL, script: codexCommandFails },
  { name: 'unknown-model', description: 'the success script with a model name codex has no metadata for (gpt-5)', model: 'gpt-5', script: codexWritesFile },
  { name: 'api-500', description: 'every request answered HTTP 500', model: CODEX_MODEL, script: () => ({ kind: 'http_error', status: 500, errorType: 'server_error', message: 'Internal server error' }) },
  { name: 'api-401', description: 'every request answered HTTP 401', model: CODEX_MODEL, script: () => ({ kind: 'http_error', status: 401, errorType: 'invalid_request_error', message: 'Incorrect API key provided' }) },
  { name: 'garbled', description: 'every request answered 200 with a body that is not a Responses event stream', model: CODEX_MODEL, script: () => ({ kind: 'garbled' }) },
];

export function codexArgs(baseUrlArgs: readonly string[], model: string, prompt = PROMPT): string[] {
  return ['exec', '--json', '--skip-git-repo-check', '--ephemeral', '-s', 'workspace-write', '-m', model, ...baseUrlArgs, prompt];
}

export const GEMINI_MODEL = 'gemini-2.5-pro';

export const GEMINI_TURN_USAGE: readonly GeminiUsage[] = [
  { promptTokenCount: 3100, candidatesTokenCount: 40, cachedContentTokenCount: 0, thoughtsTokenCount: 7 },
  { promptTokenCount: 3300, candidatesTokenCount: 15, cachedContentTokenCount: 0, thoughtsTokenCount: 0 },
];
const geminiUsage = (index: number): GeminiUsage => GEMINI_TURN_USAGE[Math.min(index, GEMINI_TURN_USAGE.length - 1)] ?? { promptTokenCount: 1, candidatesTokenCount: 1 };

/** Turn 1: write_file `FILE_NAME` in `workDir`; once the function response is back: the final text. */
export const geminiWritesFile = (workDir: string): GeminiScript => (request, index) =>
  hasFunctionResponse(request)
    ? { kind: 'text', text: FINAL_TEXT, usage: geminiUsage(index) }
    : { kind: 'function_call', name: 'write_file', args: { file_path: join(workDir, FILE_NAME), content: FILE_CONTENT }, usage: geminiUsage(index) };

const geminiEndless = (workDir: string): GeminiScript => (_request, index) => ({
  kind: 'function_call',
  name: 'write_file',
  args: { file_path: join(workDir, FILE_NAME), content: `round ${index + 1}\n` },
  usage: geminiUsage(index),
});

export interface GeminiScenario {
  readonly name: string;
  readonly description: string;
  /** settings.json `model.maxSessionTurns`; -1 is unbounded. */
  readonly maxSessionTurns: number;
  readonly script: (workDir: string) => GeminiScript;
}

export const GEMINI_SCENARIOS: readonly GeminiScenario[] = [
  { name: 'success', description: 'write_file call creating hello.txt, function response, final text', maxSessionTurns: -1, script: geminiWritesFile },
  { name: 'max-turns', description: 'every answer is another write_file call; model.maxSessionTurns 2', maxSessionTurns: 2, script: geminiEndless },
  { name: 'api-500', description: 'every request answered HTTP 500 INTERNAL', maxSessionTurns: -1, script: () => () => ({ kind: 'http_error', status: 500, errorStatus: 'INTERNAL', message: 'Internal error encountered.' }) },
  { name: 'api-401', description: 'every request answered HTTP 401 UNAUTHENTICATED', maxSessionTurns: -1, script: () => () => ({ kind: 'http_error', status: 401, errorStatus: 'UNAUTHENTICATED', message: 'API key not valid.' }) },
  { name: 'garbled', description: 'every request answered 200 with a body that is not an event stream', maxSessionTurns: -1, script: () => () => ({ kind: 'garbled' }) },
];

export const GEMINI_FORMATS = ['json', 'stream-json'] as const;
export type GeminiFormat = (typeof GEMINI_FORMATS)[number];

/** `--skip-trust`: the throwaway working folder is not a trusted workspace yet. */
export function geminiArgs(format: GeminiFormat, prompt = PROMPT): string[] {
  return ['-p', prompt, '--output-format', format, '-m', GEMINI_MODEL, '--approval-mode', 'auto_edit', '--skip-trust'];
}
