// The real Claude Code binary (the pinned @anthropic-ai/claude-code) against
// a loopback stand-in of the Anthropic Messages API: first the client alone,
// pinning the output contract the claude adapter parses; then buran runs whose
// worker is the real client. Fails (never skips) when the binary is missing.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import { cleanup as cleanupRepos, git } from '../engine/fixtures/project.js';
import { CLAUDE_BIN, CLAUDE_VERSION, claudeEnv, requireBinary, runClient, type ClientRun } from './clients.js';
import { agentPacket, buranRun, jsonLines, recordedStdout, removeTempDirs, statusJson, TASK_FILE, tempDir } from './helpers.js';
import {
  CLAUDE_MODEL,
  FILE_CONTENT,
  FILE_NAME,
  FINAL_TEXT,
  PROMPT,
  claudeArgs,
  claudeEndlessTools,
  claudeGarbled,
  claudeHttpError,
  claudeWritesFile,
  claudeFollowsBrief,
  claudeUsageOver,
  claudeWritesOutside,
  type ClaudeFormat,
} from './scenarios.js';
import { hasToolResult, startAnthropicStandin, userText, type AnthropicScript, type AnthropicStandin } from './standins/anthropic.js';

afterAll(async () => {
  await cleanupRepos();
  removeTempDirs();
});

interface Drive {
  readonly run: ClientRun;
  readonly standin: AnthropicStandin;
  readonly work: string;
  readonly home: string;
}

/** One `claude -p` run in a fresh working folder and HOME, against a stand-in playing `script`. */
async function drive(script: AnthropicScript | ((home: string) => AnthropicScript), format: ClaudeFormat, maxTurns = 5): Promise<Drive> {
  const bin = requireBinary(CLAUDE_BIN);
  const work = tempDir('buran-claude-work-');
  const home = tempDir('buran-claude-home-');
  const standin = await startAnthropicStandin(script.length === 1 ? (script as (home: string) => AnthropicScript)(home) : (script as AnthropicScript));
  try {
    const run = await runClient([bin, ...claudeArgs(format, maxTurns)], { cwd: work, env: claudeEnv(standin.url, home), timeoutMs: 30_000 });
    return { run, standin, work, home };
  } finally {
    await standin.close();
  }
}

/** The `--output-format json` result: exactly one JSON object on stdout. */
function resultOf(run: ClientRun): Record<string, unknown> {
  const lines = jsonLines(run.stdout);
  expect(lines, run.stdout + run.stderr).toHaveLength(1);
  return lines[0] ?? {};
}

const recordedResult = (scenario: string): Record<string, unknown> => jsonLines(recordedStdout('claude', scenario, 'json'))[0] ?? {};
const keys = (value: Record<string, unknown>): string[] => Object.keys(value).sort();

/** Two answers: the tool call, then the final text. */
const expectedUsage = claudeUsageOver(2);

// Independent runs (own folders, own stand-in): run side by side to keep the file quick.
describe.concurrent(`the real claude binary (${CLAUDE_VERSION}) against the Messages API stand-in`, { timeout: 60_000 }, () => {
  it('is the pinned version', async () => {
    const run = await runClient([requireBinary(CLAUDE_BIN), '--version'], { cwd: tempDir('buran-claude-v-'), env: { PATH: process.env.PATH ?? '' } });
    expect(run.stdout.trim()).toBe(`${CLAUDE_VERSION} (Claude Code)`);
  });

  it('json: writes the file the stand-in asked for, ends with one success result whose usage is the sum of the stand-in’s answers', async () => {
    const { run, standin, work } = await drive(claudeWritesFile, 'json');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(work, FILE_NAME), 'utf8')).toBe(FILE_CONTENT);

    const result = resultOf(run);
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, result: FINAL_TEXT, num_turns: 2, terminal_reason: 'completed', permission_denials: [] });
    expect(result.usage).toMatchObject(expectedUsage);
    const modelUsage = (result.modelUsage as Record<string, { costUSD: number; inputTokens: number; outputTokens: number }>)[CLAUDE_MODEL];
    expect(modelUsage).toMatchObject({ inputTokens: expectedUsage.input_tokens, outputTokens: expectedUsage.output_tokens });
    expect(result.total_cost_usd).toBeGreaterThan(0);
    expect(result.total_cost_usd).toBe(modelUsage?.costUSD);
    expect(keys(result)).toEqual(keys(recordedResult('success')));

    // What the client sent: a connectivity probe, then one streamed request per turn.
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['HEAD /', 'POST /v1/messages', 'POST /v1/messages']);
    const [first, second] = standin.messages();
    expect(first).toMatchObject({ model: CLAUDE_MODEL, stream: true });
    expect(first?.toolNames).toEqual(expect.arrayContaining(['Write', 'Edit', 'Read', 'Bash']));
    expect(userText(first ?? { model: '', stream: false, system: '', messages: [], toolNames: [] })).toContain(PROMPT);
    expect(hasToolResult(first ?? { model: '', stream: false, system: '', messages: [], toolNames: [] })).toBe(false);
    expect(second !== undefined && hasToolResult(second)).toBe(true);
    expect(standin.requests[1]?.headers['x-api-key']).toBe('dummy');
  });

  it('stream-json: init line, one assistant line per block, the tool result, then the same result object', async () => {
    const { run, work } = await drive(claudeWritesFile, 'stream-json');
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines[0]).toMatchObject({ type: 'system', subtype: 'init', cwd: work, model: CLAUDE_MODEL, permissionMode: 'acceptEdits', claude_code_version: CLAUDE_VERSION });
    expect(lines.map((l) => l.type)).toEqual(['system', 'assistant', 'assistant', 'user', 'assistant', 'result']);
    const blocks = lines.filter((l) => l.type === 'assistant').map((l) => ((l.message as { content: { type: string; name?: string }[] }).content[0] ?? { type: '' }));
    expect(blocks.map((b) => b.type)).toEqual(['text', 'tool_use', 'text']);
    expect(blocks[1]?.name).toBe('Write');
    const toolResult = (lines[3]?.message as { content: { type: string }[] }).content[0];
    expect(toolResult?.type).toBe('tool_result');
    const result = lines.at(-1) ?? {};
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, result: FINAL_TEXT, usage: expectedUsage });
    // One session throughout.
    expect(new Set(lines.map((l) => l.session_id)).size).toBe(1);
    expect(readFileSync(join(work, FILE_NAME), 'utf8')).toBe(FILE_CONTENT);
  });

  const failures: readonly { name: string; script: AnthropicScript; status: number | null; result: RegExp; posts: number }[] = [
    { name: 'api-500', script: claudeHttpError(500, 'api_error', 'Internal server error'), status: 500, result: /^API Error: 500 /, posts: 1 },
    { name: 'api-401', script: claudeHttpError(401, 'authentication_error', 'invalid x-api-key'), status: 401, result: /Invalid API key/, posts: 1 },
    // The client retries an unparsable stream once without streaming.
    { name: 'garbled', script: claudeGarbled, status: null, result: /^API Error: /, posts: 2 },
  ];

  it.each(failures)('$name: exit 1, is_error true but subtype "success", api_error_status $status, no cost', async ({ name, script, status, result: message, posts }) => {
    const { run, standin } = await drive(script, 'json');
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: true, api_error_status: status, total_cost_usd: 0, num_turns: 1 });
    expect(result.result).toMatch(message);
    expect(keys(result)).toEqual(keys(recordedResult(name)));
    const streamed = standin.messages().map((m) => m.stream);
    expect(streamed).toHaveLength(posts);
    if (posts === 2) expect(streamed).toEqual([true, false]);
  });

  it('max turns: exit 1, subtype error_max_turns, terminal_reason max_turns, the cost of the turns made', async () => {
    const { run, standin } = await drive(claudeEndlessTools, 'json', 2);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result).toMatchObject({ type: 'result', subtype: 'error_max_turns', is_error: true, terminal_reason: 'max_turns', errors: ['Reached maximum number of turns (2)'] });
    expect(result).not.toHaveProperty('result');
    expect(standin.messages()).toHaveLength(2);
    expect(result.usage).toMatchObject(expectedUsage);
    expect(result.total_cost_usd).toBeGreaterThan(0);
    expect(keys(result)).toEqual(keys(recordedResult('max-turns')));
  });

  it('a refused tool: exit 0 and subtype success with is_error false, the refusal only in permission_denials', async () => {
    const { run, home } = await drive((h: string) => claudeWritesOutside(join(h, 'outside.txt')), 'json');
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result).toMatchObject({ subtype: 'success', is_error: false, permission_denials: [{ tool_name: 'Write', tool_input: { file_path: join(home, 'outside.txt') } }] });
    expect(existsSync(join(home, 'outside.txt'))).toBe(false);
  });
});

/** The runner environment for a buran run whose claude worker talks to `standin`. */
function runnerEnv(standin: AnthropicStandin): Record<string, string | undefined> {
  const home = tempDir('buran-claude-home-');
  mkdirSync(home, { recursive: true });
  return { ...process.env, ...claudeEnv(standin.url, home) };
}

function claudeConfig(maxTurns: number): ConfigInput {
  return {
    schema: 'buran.config/v1',
    adapters: {
      claude: {
        executable: requireBinary(CLAUDE_BIN),
        maxTurns,
        // ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL are the adapter's own key variables; these keep the client quick to fail and offline.
        envAllowlist: ['DISABLE_TELEMETRY', 'CLAUDE_CODE_MAX_RETRIES'],
      },
    },
  };
}

const CONTENT = 'hello from the real claude binary\n';
/** A buran run takes ~5 s alone; generous for a loaded CI machine. */
const E2E_TIMEOUT_MS = 90_000;
const INSTRUCTIONS = `Write ${TASK_FILE} containing exactly the greeting line. (real-claude e2e)`;

describe.concurrent('buran runs with the real claude binary as the worker', () => {
  it('reaches handoff: the stand-in’s Write calls changed the task worktree and wrote the completion file, and status --json shows the usage and cost the client reported', async () => {
    const summary = 'Wrote the greeting (completion written through the real client).';
    const standin = await startAnthropicStandin(claudeFollowsBrief(TASK_FILE, CONTENT, summary));
    try {
      const packet = agentPacket('claude', { model: CLAUDE_MODEL, expected: CONTENT, instructions: INSTRUCTIONS });
      const { repo, runId, result, attempts, report } = await buranRun(packet, claudeConfig(5), runnerEnv(standin));
      expect(result.status, JSON.stringify(result.blocker)).toBe('handoff_ready');
      expect(attempts).toHaveLength(1);
      const attempt = attempts[0] ?? '';

      // The prompt file reached the client (on stdin) and the client's request carried it.
      const requests = standin.messages();
      expect(requests).toHaveLength(3);
      expect(requests[0]?.model).toBe(CLAUDE_MODEL);
      expect(userText(requests[0] ?? { model: '', stream: false, system: '', messages: [], toolNames: [] })).toContain(INSTRUCTIONS);

      // The file really changed: verification read it in the worktree, and the handoff branch carries it.
      expect(git(repo, 'show', `buran/${runId}:${TASK_FILE}`)).toBe(CONTENT);
      // The completion file the client wrote (outside the worktree, allowed by --add-dir) was the one ingested.
      expect(JSON.parse(readFileSync(join(attempt, 'out', 'completion.json'), 'utf8'))).toMatchObject({ status: 'completed', summary, attemptId: 'alpha.a1' });
      expect(report.tasks.find((t) => t.id === 'alpha')?.attempts[0]?.summary).toBe(summary);

      // status --json shows what the real client reported in its result line (itself derived from the stand-in's numbers).
      const reported = jsonLines(readFileSync(join(attempt, 'stdout.log'), 'utf8')).at(-1) ?? {};
      expect(reported).toMatchObject({ type: 'result', subtype: 'success', is_error: false, num_turns: 3, usage: claudeUsageOver(3) });
      const usage = reported.usage as ReturnType<typeof claudeUsageOver>;
      const status = statusJson(repo, runId);
      expect(status.status).toBe('handoff_ready');
      expect(status.usage).toEqual({
        inputTokens: usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens,
        outputTokens: usage.output_tokens,
        costUsd: reported.total_cost_usd,
        unknownAttempts: 0,
      });
      expect(status.usage.costUsd).toBeGreaterThan(0);
    } finally {
      await standin.close();
    }
  }, E2E_TIMEOUT_MS);

  it('an API error (HTTP 500) blocks the run with retry_exhausted, naming the API error', async () => {
    const standin = await startAnthropicStandin(claudeHttpError(500, 'api_error', 'Internal server error'));
    try {
      const packet = agentPacket('claude', { model: CLAUDE_MODEL, expected: CONTENT, instructions: INSTRUCTIONS });
      const { repo, runId, result, attempts } = await buranRun(packet, claudeConfig(5), runnerEnv(standin));
      expect(result.status).toBe('blocked');
      expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('retry_exhausted');
      expect(JSON.stringify(result.blocker)).toContain('API Error: 500');
      expect(attempts).toHaveLength(1);
      expect(standin.messages()).toHaveLength(1);
      expect(statusJson(repo, runId).usage).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    } finally {
      await standin.close();
    }
  }, E2E_TIMEOUT_MS);

  it('a looping agent stops at adapters.claude.maxTurns and blocks the run with retry_exhausted (turn limit)', async () => {
    const standin = await startAnthropicStandin(claudeEndlessTools);
    try {
      const packet = agentPacket('claude', { model: CLAUDE_MODEL, expected: CONTENT, instructions: INSTRUCTIONS });
      const { result } = await buranRun(packet, claudeConfig(2), runnerEnv(standin));
      expect(result.status).toBe('blocked');
      expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('retry_exhausted');
      expect(JSON.stringify(result.blocker)).toContain('turn limit');
      expect(standin.messages()).toHaveLength(2);
    } finally {
      await standin.close();
    }
  }, E2E_TIMEOUT_MS);
});
