// The real Codex CLI (the pinned @openai/codex) against a loopback stand-in
// of the OpenAI Responses API, configured as a custom model provider: first
// the client alone, pinning the event stream the codex adapter parses; then
// buran runs whose worker is the real client. Fails (never skips) when the
// binary is missing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type ConfigInput } from '../../src/domain/config.js';
import type { InvocationContext } from '../../src/worker/adapter.js';
import { createCodexAdapter } from '../../src/worker/adapters/index.js';
import { cleanup as cleanupRepos, git } from '../engine/fixtures/project.js';
import { CODEX_BIN, CODEX_VERSION, codexEnv, codexProviderArgs, requireBinary, runClient, type ClientRun } from './clients.js';
import { agentPacket, buranRun, jsonLines, outsideTempDir, recordedStdout, removeTempDirs, statusJson, sum, TASK_FILE, tempDir } from './helpers.js';
import { CODEX_MODEL, CODEX_TURN_USAGE, FILE_CONTENT, FILE_NAME, FINAL_TEXT, PROMPT, codexArgs, codexWritesFile, codexWritesFileAt } from './scenarios.js';
import { BWRAP_HAS_ARGV0, HAS_BWRAP, sandboxLayout, sandboxed, type SandboxLayout } from './sandbox.js';
import { functionCallOutputs, startResponsesStandin, userInputText, type ResponsesScript, type ResponsesStandin } from './standins/openai.js';

afterAll(async () => {
  await cleanupRepos();
  removeTempDirs();
});

interface Drive {
  readonly run: ClientRun;
  readonly standin: ResponsesStandin;
  readonly work: string;
  readonly lines: Record<string, unknown>[];
}

/**
 * One `codex exec --json` run in a fresh working folder and CODEX_HOME, against a stand-in playing `script`.
 * The CODEX_HOME is outside the temp dir: under it codex creates no helper links, and its command sandbox cannot start beside a system bwrap < 0.9.
 */
async function drive(script: ResponsesScript, model = CODEX_MODEL, home = outsideTempDir('codex-home-')): Promise<Drive> {
  const bin = requireBinary(CODEX_BIN);
  const work = tempDir('buran-codex-work-');
  const standin = await startResponsesStandin(script);
  try {
    const run = await runClient([bin, ...codexArgs(codexProviderArgs(standin.url), model)], { cwd: work, env: codexEnv(home), timeoutMs: 30_000 });
    return { run, standin, work, lines: jsonLines(run.stdout) };
  } finally {
    await standin.close();
  }
}

const types = (lines: readonly Record<string, unknown>[]): string[] =>
  lines.map((l) => (l.type === 'item.started' || l.type === 'item.completed' ? `${String(l.type)}:${String((l.item as { type: string }).type)}` : String(l.type)));

const expectedUsage = {
  input_tokens: sum(CODEX_TURN_USAGE.map((u) => u.input_tokens)),
  cached_input_tokens: sum(CODEX_TURN_USAGE.map((u) => u.cached_input_tokens ?? 0)),
  output_tokens: sum(CODEX_TURN_USAGE.map((u) => u.output_tokens)),
  reasoning_output_tokens: sum(CODEX_TURN_USAGE.map((u) => u.reasoning_output_tokens ?? 0)),
};

// Independent runs (own folders, own stand-in): run side by side to keep the file quick.
describe.concurrent(`the real codex binary (${CODEX_VERSION}) against the Responses API stand-in`, { timeout: 60_000 }, () => {
  it('is the pinned version', async () => {
    const run = await runClient([requireBinary(CODEX_BIN), '--version'], { cwd: tempDir('buran-codex-v-'), env: { PATH: process.env.PATH ?? '' } });
    expect(run.stdout.trim()).toBe(`codex-cli ${CODEX_VERSION}`);
  });

  it('runs the scripted exec_command, which writes the file, and ends with turn.completed carrying the summed usage', async () => {
    const { run, standin, work, lines } = await drive(codexWritesFile);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(work, FILE_NAME), 'utf8')).toBe(FILE_CONTENT);
    expect(types(lines)).toEqual(['thread.started', 'turn.started', 'item.started:command_execution', 'item.completed:command_execution', 'item.completed:agent_message', 'turn.completed']);
    expect(lines[3]?.item).toMatchObject({ type: 'command_execution', exit_code: 0, status: 'completed' });
    expect(lines[4]?.item).toMatchObject({ type: 'agent_message', text: FINAL_TEXT });
    expect(lines[5]?.usage).toMatchObject(expectedUsage);
    expect(lines.at(-1)).not.toHaveProperty('cost');
    expect(types(lines)).toEqual(types(jsonLines(recordedStdout('codex', 'success'))));

    // What the client sent: one streamed request per turn to the provider's base URL, with the key from STUB_KEY.
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/responses', 'POST /v1/responses']);
    expect(standin.requests[0]?.headers.authorization).toBe('Bearer dummy');
    const [first, second] = standin.responses();
    expect(first).toMatchObject({ model: CODEX_MODEL, stream: true });
    expect(first?.toolNames).toContain('exec_command');
    expect(first === undefined ? '' : userInputText(first)).toContain(PROMPT);
    expect(second === undefined ? [] : functionCallOutputs(second)).toHaveLength(1);
    expect(second === undefined ? '' : functionCallOutputs(second)[0]?.output).toContain('Process exited with code 0');
  });

  it('an unknown model name adds an error item but the turn still completes', async () => {
    const { run, lines } = await drive(codexWritesFile, 'gpt-5');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(lines[1]).toMatchObject({ type: 'item.completed', item: { type: 'error', message: expect.stringContaining('Model metadata for `gpt-5` not found') as unknown } });
    expect(lines.at(-1)?.type).toBe('turn.completed');
  });

  // Pins why the CODEX_HOME above is not a temp folder. Codex runs each command through bwrap and re-executes
  // itself inside as `codex-linux-sandbox`: with the bundled bwrap (no bwrap on PATH) or a system one that has
  // --argv0 by its own path; with an older system bwrap (Debian 12's 0.8.0) by that name on PATH, through a
  // link it creates under CODEX_HOME/tmp/arg0-linux — which it refuses to create under the temp dir.
  it.skipIf(!HAS_BWRAP || BWRAP_HAS_ARGV0)('beside a system bwrap without --argv0, a CODEX_HOME under the temp dir leaves every command failing while the turn completes', async () => {
    const { run, standin, work, lines } = await drive(codexWritesFile, CODEX_MODEL, tempDir('buran-codex-home-'));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('could not create PATH aliases: Refusing to create helper binaries under temporary dir');
    expect(existsSync(join(work, FILE_NAME))).toBe(false);
    expect(lines.at(-1)?.type).toBe('turn.completed');
    const second = standin.responses()[1];
    expect(second === undefined ? '' : functionCallOutputs(second)[0]?.output).toContain('bwrap: execvp codex-linux-sandbox: No such file or directory');
  });

  const failures: readonly { name: string; script: ResponsesScript; message: RegExp }[] = [
    { name: 'api-500', script: () => ({ kind: 'http_error', status: 500, errorType: 'server_error', message: 'Internal server error' }), message: /high demand|500/ },
    { name: 'api-401', script: () => ({ kind: 'http_error', status: 401, errorType: 'invalid_request_error', message: 'Incorrect API key provided' }), message: /401 Unauthorized/ },
    { name: 'garbled', script: () => ({ kind: 'garbled' }), message: /stream disconnected before completion/ },
  ];

  it.each(failures)('$name: exit 1, an error event then turn.failed, one request (retries off)', async ({ name, script, message }) => {
    const { run, standin, lines } = await drive(script);
    expect(run.exitCode).toBe(1);
    expect(types(lines)).toEqual(['thread.started', 'turn.started', 'error', 'turn.failed']);
    expect(lines[2]?.message).toMatch(message);
    expect(lines[3]).toMatchObject({ error: { message: lines[2]?.message } });
    expect(standin.responses()).toHaveLength(1);
    expect(types(jsonLines(recordedStdout('codex', name)))).toEqual(types(lines));
  });
});

/** Prices are test input: codex reports tokens only, buran prices them from config. */
const PRICE = { inputUsdPerMTok: 1.25, cachedInputUsdPerMTok: 0.125, outputUsdPerMTok: 10 };
const CONTENT = 'hello from the real codex binary\n';
const INSTRUCTIONS = `Write ${TASK_FILE} containing exactly the greeting line. (real-codex e2e)`;
const E2E_TIMEOUT_MS = 90_000;

function codexConfig(standin: ResponsesStandin): ConfigInput {
  return {
    schema: 'buran.config/v1',
    adapters: {
      codex: {
        executable: requireBinary(CODEX_BIN),
        // The stand-in as a custom provider; codex 0.169 ignores OPENAI_BASE_URL.
        extraArgs: codexProviderArgs(standin.url),
        envAllowlist: ['STUB_KEY', 'CODEX_HOME'],
        prices: { [CODEX_MODEL]: PRICE },
      },
    },
  };
}

function runnerEnv(): Record<string, string | undefined> {
  return { ...process.env, ...codexEnv(outsideTempDir('codex-home-')) };
}

describe.concurrent('buran runs with the real codex binary as the worker', () => {
  it('reaches handoff: the scripted command changed the task worktree, and status --json shows the client’s tokens priced from config', async () => {
    const standin = await startResponsesStandin(codexWritesFileAt(TASK_FILE, CONTENT));
    try {
      const packet = agentPacket('codex', { model: CODEX_MODEL, expected: CONTENT, instructions: INSTRUCTIONS });
      const { repo, runId, result, attempts } = await buranRun(packet, codexConfig(standin), runnerEnv());
      expect(result.status, JSON.stringify(result.blocker)).toBe('handoff_ready');
      expect(attempts).toHaveLength(1);

      // The prompt file reached the client on stdin, and its request carried it.
      const [first] = standin.responses();
      expect(first?.model).toBe(CODEX_MODEL);
      expect(first === undefined ? '' : userInputText(first)).toContain(INSTRUCTIONS);
      expect(git(repo, 'show', `buran/${runId}:${TASK_FILE}`)).toBe(CONTENT);

      const reported = jsonLines(readFileSync(join(attempts[0] ?? '', 'stdout.log'), 'utf8')).at(-1) ?? {};
      expect(reported).toMatchObject({ type: 'turn.completed', usage: expectedUsage });
      const u = reported.usage as typeof expectedUsage;
      const status = statusJson(repo, runId);
      expect(status.status).toBe('handoff_ready');
      expect(status.usage).toEqual({
        inputTokens: u.input_tokens,
        outputTokens: u.output_tokens,
        costUsd: expect.closeTo(((u.input_tokens - u.cached_input_tokens) * PRICE.inputUsdPerMTok + u.cached_input_tokens * PRICE.cachedInputUsdPerMTok + u.output_tokens * PRICE.outputUsdPerMTok) / 1e6, 12) as number,
        unknownAttempts: 0,
      });
    } finally {
      await standin.close();
    }
  }, E2E_TIMEOUT_MS);

  it('an API error (HTTP 500) blocks the run with retry_exhausted', async () => {
    const standin = await startResponsesStandin(() => ({ kind: 'http_error', status: 500, errorType: 'server_error', message: 'Internal server error' }));
    try {
      const packet = agentPacket('codex', { model: CODEX_MODEL, expected: CONTENT, instructions: INSTRUCTIONS });
      const { result, attempts } = await buranRun(packet, codexConfig(standin), runnerEnv());
      expect(result.status).toBe('blocked');
      expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('retry_exhausted');
      expect(JSON.stringify(result.blocker)).toContain('codex reported an error');
      expect(attempts).toHaveLength(1);
      expect(standin.responses()).toHaveLength(1);
    } finally {
      await standin.close();
    }
  }, E2E_TIMEOUT_MS);
});

/**
 * The adapter's own invocation, run inside a bubblewrap sandbox shaped like the one buran is to run workers
 * in: HOME an empty tmpfs with CODEX_HOME bound back writable (codex writes its state databases there even
 * with --ephemeral, and fails to start when it is read-only or missing), the worktree and attempt folder
 * writable, the rest read-only.
 */
async function driveInSandbox(script: (layout: SandboxLayout) => ResponsesScript, options: { sandboxed: boolean; role?: 'worker' | 'reviewer' }) {
  const root = outsideTempDir('codex-sandbox-');
  const layout = sandboxLayout(root);
  const home = join(root, 'home');
  const codexHome = join(home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  const standin = await startResponsesStandin(script(layout));
  try {
    const promptFile = join(layout.attemptDir, 'prompt.md');
    writeFileSync(promptFile, PROMPT);
    const ctx: InvocationContext = {
      worker: { adapter: 'codex', model: CODEX_MODEL },
      config: {
        ...DEFAULT_CONFIG,
        adapters: {
          codex: {
            executable: requireBinary(CODEX_BIN),
            extraArgs: codexProviderArgs(standin.url),
            reviewerArgs: codexProviderArgs(standin.url),
            envAllowlist: ['PATH', 'HOME', 'CODEX_HOME', 'STUB_KEY'],
          },
        },
      },
      env: codexEnv(home, codexHome),
      workspace: layout.worktree,
      runId: 'r1',
      taskId: 'alpha',
      attemptId: 'alpha.a1',
      attempt: 1,
      epoch: 1,
      promptFile,
      completionFile: join(layout.attemptDir, 'completion.json'),
      role: options.role ?? 'worker',
      sandboxed: options.sandboxed,
    };
    const inv = createCodexAdapter().buildInvocation(ctx);
    const argv = sandboxed(inv.argv, { home, buranDir: layout.buranDir, worktree: layout.worktree, attemptDir: layout.attemptDir, writable: [codexHome] });
    const run = await runClient(argv, { cwd: inv.cwd, env: inv.env, stdinFile: inv.stdinFile, timeoutMs: 30_000 });
    const outputs = standin.responses().flatMap((r) => functionCallOutputs(r).map((o) => o.output));
    return { run, inv, layout, outputs, lines: jsonLines(run.stdout) };
  } finally {
    await standin.close();
  }
}

describe.skipIf(!HAS_BWRAP).concurrent(`the real codex binary (${CODEX_VERSION}) inside a bubblewrap sandbox shaped like buran’s`, { timeout: 60_000 }, () => {
  it('sandboxed: the worker runs with codex’s own sandbox off, and its command writes the file in the worktree', async () => {
    const { run, inv, layout, lines } = await driveInSandbox(() => codexWritesFile, { sandboxed: true });
    expect(inv.argv).toContain('danger-full-access');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(layout.worktree, FILE_NAME), 'utf8')).toBe(FILE_CONTENT);
    expect(lines.at(-1)?.type).toBe('turn.completed');
  });

  it('sandboxed: the outer sandbox still confines the worker — its command cannot write into the repository', async () => {
    const { run, layout, outputs } = await driveInSandbox((layout) => codexWritesFileAt(join(layout.repo, 'escaped.txt'), FILE_CONTENT), { sandboxed: true });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(join(layout.repo, 'escaped.txt'))).toBe(false);
    expect(outputs.join('\n')).toContain('Read-only file system');
  });

  it('not sandboxed: codex’s own workspace-write sandbox nests inside it too (user namespaces nest; CODEX_HOME writable, outside the temp dir)', async () => {
    const { run, inv, layout } = await driveInSandbox(() => codexWritesFile, { sandboxed: false });
    expect(inv.argv).toContain('workspace-write');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(layout.worktree, FILE_NAME), 'utf8')).toBe(FILE_CONTENT);
  });

  it('sandboxed reviewer: codex’s read-only sandbox, nested, refuses the write', async () => {
    const { run, inv, layout, outputs } = await driveInSandbox(() => codexWritesFile, { sandboxed: true, role: 'reviewer' });
    expect(inv.argv).toContain('read-only');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(join(layout.worktree, FILE_NAME))).toBe(false);
    expect(outputs.join('\n')).toContain('Read-only file system');
  });
});
