// The real Gemini CLI (the pinned @google/gemini-cli) against a loopback
// stand-in of the Gemini API (GOOGLE_GEMINI_BASE_URL): first the client
// alone, pinning the output the gemini adapter parses; then buran runs whose
// worker is the real client. Fails (never skips) when the CLI is missing.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import { cleanup as cleanupRepos, git } from '../engine/fixtures/project.js';
import { GEMINI_BIN, GEMINI_VERSION, geminiEnv, geminiSettings, requireBinary, runClient, type ClientRun } from './clients.js';
import { agentPacket, buranRun, jsonLines, recordedStdout, removeTempDirs, statusJson, sum, TASK_FILE, tempDir } from './helpers.js';
import { FILE_CONTENT, FILE_NAME, FINAL_TEXT, GEMINI_MODEL, GEMINI_TURN_USAGE, PROMPT, geminiArgs, geminiWritesFile, type GeminiFormat } from './scenarios.js';
import { hasFunctionResponse, startGeminiStandin, type GeminiScript, type GeminiStandin } from './standins/gemini.js';

afterAll(async () => {
  await cleanupRepos();
  removeTempDirs();
});

/** A throwaway HOME whose ~/.gemini/settings.json points the CLI at an API key (see geminiSettings). */
function geminiHome(maxSessionTurns = -1, settings: Record<string, unknown> | null = geminiSettings(maxSessionTurns)): string {
  const home = tempDir('buran-gemini-home-');
  if (settings !== null) {
    mkdirSync(join(home, '.gemini'));
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(settings));
  }
  return home;
}

interface Drive {
  readonly run: ClientRun;
  readonly standin: GeminiStandin;
  readonly work: string;
}

async function drive(script: (work: string) => GeminiScript, format: GeminiFormat, home = geminiHome()): Promise<Drive> {
  const bin = requireBinary(GEMINI_BIN);
  const work = tempDir('buran-gemini-work-');
  const standin = await startGeminiStandin(script(work));
  try {
    const run = await runClient([bin, ...geminiArgs(format)], { cwd: work, env: geminiEnv(standin.url, home), timeoutMs: 45_000 });
    return { run, standin, work };
  } finally {
    await standin.close();
  }
}

const prompt = sum(GEMINI_TURN_USAGE.map((u) => u.promptTokenCount));
const candidates = sum(GEMINI_TURN_USAGE.map((u) => u.candidatesTokenCount));
const thoughts = sum(GEMINI_TURN_USAGE.map((u) => u.thoughtsTokenCount ?? 0));
const http500: GeminiScript = () => ({ kind: 'http_error', status: 500, errorStatus: 'INTERNAL', message: 'Internal error encountered.' });
const endless = (work: string): GeminiScript => (_request, index) => ({
  kind: 'function_call',
  name: 'write_file',
  args: { file_path: join(work, FILE_NAME), content: `round ${index + 1}\n` },
  usage: GEMINI_TURN_USAGE[0] ?? { promptTokenCount: 1, candidatesTokenCount: 1 },
});

// Independent runs (own folders, own stand-in): run side by side to keep the file quick.
describe.concurrent(`the real gemini CLI (${GEMINI_VERSION}) against the Gemini API stand-in`, { timeout: 90_000 }, () => {
  it('is the pinned version', async () => {
    const run = await runClient([requireBinary(GEMINI_BIN), '--version'], { cwd: tempDir('buran-gemini-v-'), env: { PATH: process.env.PATH ?? '', HOME: geminiHome() } });
    expect(run.stdout.trim()).toBe(GEMINI_VERSION);
  });

  it('stream-json: runs the scripted write_file call and ends with a success result whose stats are the stand-in’s token counts', async () => {
    const { run, standin, work } = await drive(geminiWritesFile, 'stream-json');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(work, FILE_NAME), 'utf8')).toBe(FILE_CONTENT);
    const lines = jsonLines(run.stdout);
    expect(lines.map((l) => l.type)).toEqual(['init', 'message', 'tool_use', 'tool_result', 'message', 'result']);
    expect(lines[0]).toMatchObject({ model: GEMINI_MODEL });
    expect(lines[1]).toMatchObject({ role: 'user', content: PROMPT });
    expect(lines[2]).toMatchObject({ tool_name: 'write_file', parameters: { file_path: join(work, FILE_NAME) } });
    expect(lines[3]).toMatchObject({ status: 'success' });
    expect(lines[4]).toMatchObject({ role: 'assistant', content: FINAL_TEXT });
    // Output tokens are the candidates only; thinking tokens show in the total alone.
    expect(lines[5]).toMatchObject({ status: 'success', stats: { input_tokens: prompt, output_tokens: candidates, total_tokens: prompt + candidates + thoughts } });
    expect(lines.map((l) => l.type)).toEqual(jsonLines(recordedStdout('gemini', 'success', 'stream-json')).map((l) => l.type));

    const generations = standin.generations();
    expect(standin.requests.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual(Array(2).fill(`POST /v1beta/models/${GEMINI_MODEL}:streamGenerateContent?alt=sse`));
    expect(standin.requests[0]?.headers['x-goog-api-key']).toBe('dummy');
    expect(generations[0]?.toolNames).toContain('write_file');
    expect(generations.map(hasFunctionResponse)).toEqual([false, true]);
  });

  it('json: one object with the final response and per-model token stats', async () => {
    const { run } = await drive(geminiWritesFile, 'json');
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { response: string; stats: { models: Record<string, { tokens: Record<string, number> }> } };
    expect(result.response).toBe(FINAL_TEXT);
    expect(result.stats.models[GEMINI_MODEL]?.tokens).toMatchObject({ prompt, candidates, thoughts, total: prompt + candidates + thoughts });
  });

  it('HTTP 500 (retries off in settings): a result with status error, exit code 244', async () => {
    const { run, standin } = await drive(() => http500, 'stream-json');
    expect(run.exitCode).toBe(244);
    const result = jsonLines(run.stdout).at(-1);
    expect(result).toMatchObject({ type: 'result', status: 'error', error: { message: expect.stringContaining('"code":500') as unknown } });
    expect(standin.generations()).toHaveLength(1);
  });

  it('model.maxSessionTurns: a FatalTurnLimitedError result, exit code 53', async () => {
    const { run, standin } = await drive(endless, 'stream-json', geminiHome(2));
    expect(run.exitCode).toBe(53);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({ type: 'result', status: 'error', error: { type: 'FatalTurnLimitedError' } });
    expect(standin.generations()).toHaveLength(2);
  });

  it('GOOGLE_GEMINI_BASE_URL without the API-key auth in settings is refused before any request (exit 41)', async () => {
    const { run, standin } = await drive(geminiWritesFile, 'json', geminiHome(-1, null));
    expect(run.exitCode).toBe(41);
    expect(run.stderr).toContain('Invalid auth method selected.');
    expect(standin.requests).toHaveLength(0);
  });
});

const PRICE = { inputUsdPerMTok: 1.25, cachedInputUsdPerMTok: 0.31, outputUsdPerMTok: 10 };
const CONTENT = 'hello from the real gemini CLI\n';
const INSTRUCTIONS = `Write ${TASK_FILE} containing exactly the greeting line. (real-gemini e2e)`;
const E2E_TIMEOUT_MS = 120_000;

function geminiConfig(): ConfigInput {
  return {
    schema: 'buran.config/v1',
    adapters: { gemini: { executable: requireBinary(GEMINI_BIN), envAllowlist: ['GEMINI_CLI_NO_RELAUNCH'], prices: { [GEMINI_MODEL]: PRICE } } },
  };
}

/** Turn 1: write_file TASK_FILE (relative: the CLI resolves it against its working folder, the task worktree); then the final text. */
const writesTaskFile = (content: string): GeminiScript => (request, index) => {
  const usage = GEMINI_TURN_USAGE[Math.min(index, GEMINI_TURN_USAGE.length - 1)] ?? { promptTokenCount: 1, candidatesTokenCount: 1 };
  return hasFunctionResponse(request) ? { kind: 'text', text: FINAL_TEXT, usage } : { kind: 'function_call', name: 'write_file', args: { file_path: TASK_FILE, content }, usage };
};

describe.concurrent('buran runs with the real gemini CLI as the worker', () => {
  it('reaches handoff: the scripted write_file changed the task worktree, and status --json shows the client’s tokens priced from config', async () => {
    const standin = await startGeminiStandin(writesTaskFile(CONTENT));
    try {
      const packet = agentPacket('gemini', { model: GEMINI_MODEL, expected: CONTENT, instructions: INSTRUCTIONS });
      const { repo, runId, result, attempts } = await buranRun(packet, geminiConfig(), { ...process.env, ...geminiEnv(standin.url, geminiHome()) });
      expect(result.status, JSON.stringify(result.blocker)).toBe('handoff_ready');
      const [first] = standin.generations();
      expect(JSON.stringify(first?.contents)).toContain(INSTRUCTIONS.replace(/"/g, '\\"'));
      expect(git(repo, 'show', `buran/${runId}:${TASK_FILE}`)).toBe(CONTENT);

      const reported = jsonLines(readFileSync(join(attempts[0] ?? '', 'stdout.log'), 'utf8')).at(-1) ?? {};
      expect(reported).toMatchObject({ type: 'result', status: 'success' });
      const stats = reported.stats as { input_tokens: number; output_tokens: number; total_tokens: number; cached: number };
      expect(stats).toMatchObject({ input_tokens: prompt, output_tokens: candidates, total_tokens: prompt + candidates + thoughts });
      // Thinking tokens are billed as output, but the client counts them in total_tokens only.
      const output = stats.total_tokens - stats.input_tokens;
      expect(output).toBeGreaterThan(stats.output_tokens);
      expect(statusJson(repo, runId).usage).toEqual({
        inputTokens: stats.input_tokens,
        outputTokens: output,
        costUsd: expect.closeTo(((stats.input_tokens - stats.cached) * PRICE.inputUsdPerMTok + stats.cached * PRICE.cachedInputUsdPerMTok + output * PRICE.outputUsdPerMTok) / 1e6, 12) as number,
        unknownAttempts: 0,
      });
    } finally {
      await standin.close();
    }
  }, E2E_TIMEOUT_MS);

  it('an API error (HTTP 500) blocks the run with retry_exhausted', async () => {
    const standin = await startGeminiStandin(http500);
    try {
      const packet = agentPacket('gemini', { model: GEMINI_MODEL, expected: CONTENT, instructions: INSTRUCTIONS });
      const { result } = await buranRun(packet, geminiConfig(), { ...process.env, ...geminiEnv(standin.url, geminiHome()) });
      expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('retry_exhausted');
      expect(standin.generations()).toHaveLength(1);
    } finally {
      await standin.close();
    }
  }, E2E_TIMEOUT_MS);
});
