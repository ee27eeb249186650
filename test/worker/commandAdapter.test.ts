import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_ID, type Config, ConfigSchema, DEFAULT_CONFIG } from '../../src/domain/config.js';
import { type InvocationContext, createAdapterRegistry } from '../../src/worker/adapter.js';
import { attemptPaths } from '../../src/worker/attemptFiles.js';
import { createCommandAdapter, deriveCommandOutcome } from '../../src/worker/commandAdapter.js';
import { type ExitInfo } from '../../src/worker/completionFile.js';
import { awaitAttempt, dispatchAttempt } from '../../src/worker/dispatch.js';
import { EXPECTED, fixture, tempDir } from './helpers.js';

const adapter = createCommandAdapter();
const registry = createAdapterRegistry([adapter]);
const runnerEnv = {
  PATH: process.env['PATH'],
  HOME: '/home/someone',
  LANG: 'C.UTF-8',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  GITHUB_TOKEN: 'ghp_secret',
  ANTHROPIC_API_KEY: 'sk-ant-secret',
  BURAN_RUN_ID: 'spoofed',
};

function context(overrides: Partial<InvocationContext> = {}): InvocationContext {
  return {
    worker: { adapter: 'command', command: ['node', 'agent.js'] },
    config: DEFAULT_CONFIG,
    env: runnerEnv,
    workspace: '/work/ws',
    runId: 'run-1',
    taskId: 'a',
    attemptId: 'a.a2',
    attempt: 2,
    epoch: 1,
    promptFile: '/store/a.a2/prompt.md',
    completionFile: '/store/a.a2/completion.json',
    ...overrides,
  };
}

const prompt = {
  runId: EXPECTED.runId,
  task: { id: EXPECTED.taskId, title: 'T', instructions: 'Do it.', acceptance: ['done'], scope: ['src/**'] },
  packet: { title: 'P', goal: 'G' },
  attempt: { attemptId: EXPECTED.attemptId, number: 1 },
  epoch: EXPECTED.epoch,
  findings: [],
};

describe('command adapter check', () => {
  it('finds an executable on the worker PATH', async () => {
    expect(await adapter.check(context({ worker: { adapter: 'command', command: ['node'] } }))).toEqual({ available: true });
  });

  it('is unavailable with an install hint when the executable is not on PATH', async () => {
    const check = await adapter.check(context({ worker: { adapter: 'command', command: ['no-such-agent-cli'] } }));
    expect(check).toMatchObject({ available: false, message: expect.stringContaining('"no-such-agent-cli" was not found') as unknown, details: { adapter: 'command' } });
    expect(!check.available && check.details['hint']).toMatch(/Install "no-such-agent-cli"/);
  });

  it('resolves a relative path against the workspace and requires it to be executable', async () => {
    const workspace = tempDir();
    writeFileSync(join(workspace, 'agent.sh'), '#!/bin/sh\n');
    const check = () => adapter.check(context({ workspace, worker: { adapter: 'command', command: ['./agent.sh'] } }));
    expect(await check()).toMatchObject({ available: false, message: expect.stringContaining('not executable') as unknown });
    chmodSync(join(workspace, 'agent.sh'), 0o755);
    expect(await check()).toEqual({ available: true });
  });

  it("is unavailable when the script an interpreter runs is missing, though the interpreter is found", async () => {
    const workspace = tempDir();
    const check = await adapter.check(context({ workspace, worker: { adapter: 'command', command: ['bash', '/missing.sh'] } }));
    expect(check).toMatchObject({ available: false, message: expect.stringContaining('worker.command[1]: the script /missing.sh that bash runs does not exist') as unknown });
    expect(!check.available && check.details).toMatchObject({ adapter: 'command', argument: '/missing.sh', hint: expect.stringContaining('repository root') as unknown });
  });

  it('passes an inline script and a script that exists', async () => {
    const workspace = tempDir();
    writeFileSync(join(workspace, 'agent.sh'), 'exit 0\n');
    expect(await adapter.check(context({ workspace, worker: { adapter: 'command', command: ['bash', '-c', 'echo hi'] } }))).toEqual({ available: true });
    expect(await adapter.check(context({ workspace, worker: { adapter: 'command', command: ['bash', 'agent.sh'] } }))).toEqual({ available: true });
    expect(await adapter.check(context({ workspace, worker: { adapter: 'command', command: ['node', fixture('exit0.mjs')] } }))).toEqual({ available: true });
  });

  it('needs worker.command', async () => {
    expect(await adapter.check(context({ worker: { adapter: 'command' } }))).toMatchObject({ available: false, message: expect.stringContaining('needs worker.command') as unknown });
  });

  it('searches only /usr/bin and /bin, and says so, when PATH is not allowlisted', async () => {
    const config: Config = ConfigSchema.parse({ schema: CONFIG_SCHEMA_ID, env: { allowlist: ['HOME'] } });
    const check = await adapter.check(context({ config, worker: { adapter: 'command', command: ['no-such-agent-cli'] } }));
    expect(check).toMatchObject({ available: false, details: { searched: ['/usr/bin', '/bin'], hint: expect.stringContaining('PATH is not in env.allowlist') as unknown } });
  });
});

describe('command adapter invocation', () => {
  it('runs worker.command, then config extraArgs, then worker.args, in the workspace', () => {
    const config: Config = ConfigSchema.parse({ schema: CONFIG_SCHEMA_ID, adapters: { command: { extraArgs: ['--quiet'] } } });
    const invocation = adapter.buildInvocation(context({ config, worker: { adapter: 'command', command: ['node', 'agent.js'], args: ['--fast'] } }));
    expect(invocation.argv).toEqual(['node', 'agent.js', '--quiet', '--fast']);
    expect(invocation.cwd).toBe('/work/ws');
  });

  it('passes only allowlisted variables plus the BURAN_* contract; secrets stay out', () => {
    expect(adapter.buildInvocation(context()).env).toEqual({
      PATH: process.env['PATH'],
      HOME: '/home/someone',
      LANG: 'C.UTF-8',
      BURAN_RUN_ID: 'run-1',
      BURAN_TASK_ID: 'a',
      BURAN_ATTEMPT_ID: 'a.a2',
      BURAN_ATTEMPT: '2',
      BURAN_EPOCH: '1',
      BURAN_PROMPT_FILE: '/store/a.a2/prompt.md',
      BURAN_COMPLETION_FILE: '/store/a.a2/completion.json',
      BURAN_WORKSPACE: '/work/ws',
    });
  });

  it("adds the adapter's envAllowlist and model", () => {
    const config: Config = ConfigSchema.parse({ schema: CONFIG_SCHEMA_ID, adapters: { command: { envAllowlist: ['ANTHROPIC_API_KEY'], model: 'm-1' } } });
    expect(adapter.buildInvocation(context({ config })).env).toMatchObject({ ANTHROPIC_API_KEY: 'sk-ant-secret', BURAN_MODEL: 'm-1' });
  });
});

describe('command adapter outcome derivation', () => {
  const exit = (record: Partial<ExitInfo['record']>): ExitInfo => ({ record: { code: 0, signal: null, endedAt: 1, error: null, ...record }, digest: 'sha256:exit' });
  const absent = { state: 'absent' } as const;

  it.each([
    [{ code: 0 }, 'completed', 'exited 0 (no completion file)'],
    [{ code: 3 }, 'failed', 'exited 3 (no completion file)'],
    [{ code: null, signal: 'SIGKILL' }, 'failed', 'was killed by SIGKILL (no completion file)'],
  ] as const)('without a completion file, exit %j is %s', (record, status, summary) => {
    expect(deriveCommandOutcome(exit(record), absent)).toEqual({ kind: 'completion', status, digest: 'sha256:exit', summary, changedFiles: [], usage: null });
  });

  it('a spawn error or a dead supervisor is missing', () => {
    expect(deriveCommandOutcome(exit({ code: null, error: 'spawn x ENOENT' }), absent)).toEqual({ kind: 'missing', reason: 'worker could not be started: spawn x ENOENT' });
    expect(deriveCommandOutcome(null, absent)).toEqual({ kind: 'missing', reason: 'supervisor died without an exit record' });
  });

  it('a completion file wins over the exit status', () => {
    const invalid = { state: 'invalid', digest: 'sha256:c', problems: ['status: bad'], parsed: true } as const;
    expect(deriveCommandOutcome(exit({ code: 0 }), invalid)).toEqual({ kind: 'invalid', digest: 'sha256:c', problems: ['status: bad'], usage: null });
  });
});

describe('dispatch through the registry', () => {
  it('an unknown adapter is unavailable, returned before anything is written or spawned', async () => {
    const attemptDir = join(tempDir(), 'attempt');
    const outcome = await dispatchAttempt({
      registry,
      config: DEFAULT_CONFIG,
      worker: { adapter: 'claude' },
      env: runnerEnv,
      workspace: tempDir(),
      attemptDir,
      prompt,
      timeoutMs: 10_000,
    });
    expect(outcome).toEqual({ status: 'unavailable', message: 'unknown worker adapter "claude"; known: "command"', details: { adapter: 'claude', known: ['command'] } });
    expect(existsSync(attemptDir)).toBe(false);
  });

  it('a missing executable is unavailable before anything is spawned', async () => {
    const attemptDir = join(tempDir(), 'attempt');
    const outcome = await dispatchAttempt({
      registry,
      config: DEFAULT_CONFIG,
      worker: { adapter: 'command', command: ['no-such-agent-cli'] },
      env: runnerEnv,
      workspace: tempDir(),
      attemptDir,
      prompt,
      timeoutMs: 10_000,
    });
    expect(outcome).toMatchObject({ status: 'unavailable', details: { executable: 'no-such-agent-cli' } });
    expect(existsSync(attemptDir)).toBe(false);
  });

  it('refuses two adapters with one name', () => {
    expect(() => createAdapterRegistry([adapter, createCommandAdapter()])).toThrow(/two adapters are named "command"/);
  });

  it('the worker process sees only the allowlisted environment and the BURAN_* contract', async () => {
    const workspace = tempDir();
    const attemptDir = join(tempDir(), 'attempt');
    const out = join(tempDir(), 'env.json');
    const config: Config = ConfigSchema.parse({ schema: CONFIG_SCHEMA_ID, adapters: { command: { envAllowlist: ['EXTRA_OK'] } } });
    const dispatched = await dispatchAttempt({
      registry,
      config,
      worker: { adapter: 'command', command: [fixture('print-env.mjs')], args: [`--out=${out}`] },
      env: { ...runnerEnv, EXTRA_OK: 'extra-value-7f3a', NODE_OPTIONS: '--no-such-node-flag' },
      workspace,
      attemptDir,
      prompt,
      timeoutMs: 10_000,
    });
    expect(dispatched).toMatchObject({ status: 'started', pid: expect.any(Number) as unknown });
    const outcome = await awaitAttempt({ registry, adapter: 'command', attemptDir, expected: EXPECTED, deadlineAt: null, heartbeatTimeoutMs: 10_000 });
    expect(outcome).toMatchObject({ kind: 'completion', status: 'completed', summary: 'exited 0 (no completion file)' });

    const seen = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(Object.keys(seen).sort()).toEqual(
      ['BURAN_ATTEMPT', 'BURAN_ATTEMPT_ID', 'BURAN_COMPLETION_FILE', 'BURAN_EPOCH', 'BURAN_PROMPT_FILE', 'BURAN_RUN_ID', 'BURAN_TASK_ID', 'BURAN_WORKSPACE', 'EXTRA_OK', 'HOME', 'LANG', 'PATH'].sort(),
    );
    expect(seen).toMatchObject({ BURAN_RUN_ID: 'run-1', BURAN_WORKSPACE: workspace, BURAN_COMPLETION_FILE: attemptPaths(attemptDir).completion, EXTRA_OK: 'extra-value-7f3a' });
    // Environment values are not written to the attempt folder (the allowlist may name API keys).
    const stored = readdirSync(attemptDir, { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => readFileSync(join(attemptDir, entry.name), 'utf8')).join('\n');
    for (const value of ['extra-value-7f3a', 'aws-secret', 'ghp_secret', 'sk-ant-secret']) expect(stored).not.toContain(value);
    expect(stored).toContain('"envNames"');
    expect(readFileSync(attemptPaths(attemptDir).prompt, 'utf8')).toContain(attemptPaths(attemptDir).completion);
  });

  it("variables meant for the worker (NODE_OPTIONS) do not reach the supervisor's own Node", async () => {
    const attemptDir = join(tempDir(), 'attempt');
    const config: Config = ConfigSchema.parse({ schema: CONFIG_SCHEMA_ID, adapters: { command: { envAllowlist: ['NODE_OPTIONS'] } } });
    const dispatched = await dispatchAttempt({
      registry,
      config,
      worker: { adapter: 'command', command: ['/usr/bin/env'] },
      env: { ...runnerEnv, NODE_OPTIONS: '--require /no/such/preload.cjs' },
      workspace: tempDir(),
      attemptDir,
      prompt,
      timeoutMs: 10_000,
    });
    expect(dispatched).toMatchObject({ status: 'started' });
    const outcome = await awaitAttempt({ registry, adapter: 'command', attemptDir, expected: EXPECTED, deadlineAt: null, heartbeatTimeoutMs: 10_000 });
    expect(outcome).toMatchObject({ kind: 'completion', status: 'completed' });
    expect(readFileSync(attemptPaths(attemptDir).stdout, 'utf8')).toContain('NODE_OPTIONS=--require /no/such/preload.cjs\n');
  });
});
