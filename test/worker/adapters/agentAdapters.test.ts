// Command lines and outcome rules of the agent adapters (pure parts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../../src/domain/config.js';
import type { AgentRunResult, InvocationContext } from '../../../src/worker/adapter.js';
import { codexSandboxMode, createClaudeAdapter, createCodexAdapter, createGeminiAdapter, deriveAgentOutcome, parseVersion } from '../../../src/worker/adapters/index.js';
import { emptyResult } from '../../../src/worker/adapters/agentResult.js';
import type { CompletionFileState, ExitInfo } from '../../../src/worker/completionFile.js';

function context(adapter: string, overrides: Partial<InvocationContext> = {}): InvocationContext {
  return {
    worker: { adapter },
    config: DEFAULT_CONFIG,
    env: { PATH: '/usr/bin', ANTHROPIC_API_KEY: 'k-a', OPENAI_API_KEY: 'k-o', GEMINI_API_KEY: 'k-g', SECRET: 's' },
    workspace: '/w/tree',
    runId: 'r1',
    taskId: 't1',
    attemptId: 't1.a1',
    attempt: 1,
    epoch: 1,
    promptFile: '/w/attempts/t1.a1/prompt.md',
    completionFile: '/w/attempts/t1.a1/completion.json',
    ...overrides,
  };
}

const config = (adapters: Config['adapters']): Config => ({ ...DEFAULT_CONFIG, adapters });

describe('command lines', () => {
  it('claude: print mode, stream-json, bounded turns, acceptEdits, the attempt folder writable, prompt on stdin', () => {
    const inv = createClaudeAdapter().buildInvocation(context('claude', { config: config({ claude: { maxTurns: 7, model: 'm1', extraArgs: ['--x'] } }), worker: { adapter: 'claude', args: ['--y'] } }));
    expect(inv.argv).toEqual([
      'claude', '-p', '--permission-mode', 'acceptEdits', '--add-dir', '/w/attempts/t1.a1',
      '--output-format', 'stream-json', '--verbose', '--max-turns', '7', '--model', 'm1', '--x', '--y',
    ]);
    expect(inv.stdinFile).toBe('/w/attempts/t1.a1/prompt.md');
    expect(inv.cwd).toBe('/w/tree');
    expect(inv.env).toMatchObject({ ANTHROPIC_API_KEY: 'k-a', DISABLE_AUTOUPDATER: '1', BURAN_COMPLETION_FILE: '/w/attempts/t1.a1/completion.json' });
    expect(inv.env).not.toHaveProperty('OPENAI_API_KEY');
    expect(inv.env).not.toHaveProperty('SECRET');
  });

  it('claude as a reviewer cannot edit or run commands, and gets the default turn bound', () => {
    const inv = createClaudeAdapter().buildInvocation(context('claude', { role: 'reviewer' }));
    expect(inv.argv).toEqual(['claude', '-p', '--permission-mode', 'default', '--disallowedTools', 'Edit,Write,NotebookEdit,Bash', '--output-format', 'stream-json', '--verbose', '--max-turns', '40']);
  });

  it('a reviewer gets adapters.<name>.reviewerArgs, never extraArgs: a bypass flag written for workers cannot undo its read-only flags', () => {
    const widening = {
      claude: { extraArgs: ['--dangerously-skip-permissions'], reviewerArgs: ['--r'] },
      codex: { extraArgs: ['--dangerously-bypass-approvals-and-sandbox'], reviewerArgs: ['--r'] },
      gemini: { extraArgs: ['--approval-mode', 'yolo'], reviewerArgs: ['--r'] },
    };
    for (const adapter of [createClaudeAdapter(), createCodexAdapter(), createGeminiAdapter()]) {
      const argv = adapter.buildInvocation(context(adapter.name, { role: 'reviewer', config: config(widening) })).argv;
      expect(argv.join(' ')).not.toMatch(/dangerously|yolo/);
      expect(argv).toContain('--r');
      expect(adapter.buildInvocation(context(adapter.name, { config: config(widening) })).argv).not.toContain('--r');
    }
  });

  it('codex: exec --json, workspace-write sandbox rooted at the workspace, prompt "-" from stdin', () => {
    const inv = createCodexAdapter().buildInvocation(context('codex', { worker: { adapter: 'codex', model: 'gpt-x' } }));
    expect(inv.argv).toEqual([
      'codex', 'exec', '--json', '--skip-git-repo-check', '--ephemeral', '--color', 'never', '-s', 'workspace-write', '-C', '/w/tree',
      '--add-dir', '/w/attempts/t1.a1', '-m', 'gpt-x', '-',
    ]);
    expect(inv.env).toMatchObject({ OPENAI_API_KEY: 'k-o' });
    expect(inv.env).not.toHaveProperty('ANTHROPIC_API_KEY');
    expect(createCodexAdapter().buildInvocation(context('codex', { role: 'reviewer' })).argv).toContain('read-only');
  });

  it('codex inside buran’s sandbox: a worker turns codex’s own command sandbox off (no --add-dir needed); a reviewer stays read-only', () => {
    const worker = createCodexAdapter().buildInvocation(context('codex', { sandboxed: true, worker: { adapter: 'codex', model: 'gpt-x' } }));
    expect(worker.argv).toEqual([
      'codex', 'exec', '--json', '--skip-git-repo-check', '--ephemeral', '--color', 'never', '-s', 'danger-full-access', '-C', '/w/tree', '-m', 'gpt-x', '-',
    ]);
    const reviewer = createCodexAdapter().buildInvocation(context('codex', { sandboxed: true, role: 'reviewer' })).argv;
    expect(reviewer.slice(reviewer.indexOf('-s'), reviewer.indexOf('-s') + 2)).toEqual(['-s', 'read-only']);
    expect(reviewer).not.toContain('--add-dir');
    expect(codexSandboxMode({ reviewer: false, sandboxed: false })).toBe('workspace-write');
  });

  it('gemini: stream-json, auto_edit, trusted for the session, prompt on stdin plus a short --prompt', () => {
    const inv = createGeminiAdapter().buildInvocation(context('gemini'));
    expect(inv.argv).toEqual(['gemini', '--output-format', 'stream-json', '--approval-mode', 'auto_edit', '--skip-trust', '--include-directories', '/w/attempts/t1.a1', '--prompt', 'Follow the brief above.']);
    expect(inv.env).toMatchObject({ GEMINI_API_KEY: 'k-g' });
    expect(createGeminiAdapter().buildInvocation(context('gemini', { role: 'reviewer' })).argv).toContain('plan');
  });

  it('a relative configured executable is resolved against the project root, not the worktree', () => {
    const inv = createClaudeAdapter({ projectRoot: '/repo' }).buildInvocation(context('claude', { config: config({ claude: { executable: 'node_modules/.bin/claude' } }) }));
    expect(inv.argv[0]).toBe('/repo/node_modules/.bin/claude');
  });

  it('gemini refuses a maxTurns it cannot enforce', async () => {
    const check = await createGeminiAdapter().check({ worker: { adapter: 'gemini' }, config: config({ gemini: { maxTurns: 5 } }), env: {}, workspace: '/' });
    expect(check).toMatchObject({ available: false, message: expect.stringContaining('no turn-limit flag') as string });
  });
});

describe('parseVersion', () => {
  it.each([
    ['2.1.197 (Claude Code)', [2, 1, 197]],
    ['codex-cli 0.169.0', [0, 169, 0]],
    ['0.61.0', [0, 61, 0]],
    ['no version here', null],
  ])('%s', (text, version) => expect(parseVersion(text)).toEqual(version));
});

describe('deriveAgentOutcome', () => {
  const exit0: ExitInfo = { record: { code: 0, signal: null, endedAt: 1, error: null }, digest: 'sha256:exit' };
  const exit1: ExitInfo = { record: { code: 1, signal: null, endedAt: 1, error: null }, digest: 'sha256:exit' };
  const absent: CompletionFileState = { state: 'absent' };
  const success: AgentRunResult = { ...emptyResult('success', 'ok'), message: 'Did it.', inputTokens: 10, outputTokens: 5, costUsd: 0.2, evidence: '{"type":"result"}' };
  const valid: CompletionFileState = {
    state: 'valid',
    digest: 'sha256:file',
    completion: { schema: 'buran.completion/v1', runId: 'r', taskId: 't', attemptId: 'a', epoch: 1, status: 'failed', summary: 'could not', usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 } },
  };

  it('success without a completion file: completed with the final message; usage from the CLI', () => {
    expect(deriveAgentOutcome('claude', exit0, absent, success)).toMatchObject({
      kind: 'completion',
      status: 'completed',
      summary: 'Did it.',
      usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.2, unknownAttempts: 0 },
    });
  });

  it("a valid completion file decides the status, but the usage stays the CLI's", () => {
    expect(deriveAgentOutcome('claude', exit0, valid, success)).toMatchObject({ status: 'failed', summary: 'could not', digest: 'sha256:file', usage: { costUsd: 0.2 } });
  });

  it("a valid completion file's summary is made display-safe (escape sequences and control characters removed)", () => {
    const hostile: CompletionFileState = valid.state === 'valid' ? { ...valid, completion: { ...valid.completion, summary: 'could\u001b[2J\u0007 not\u0000' } } : valid;
    expect(deriveAgentOutcome('claude', exit0, hostile, success)).toMatchObject({ summary: 'could not' });
  });

  it('an error result wins over a completion file that says completed', () => {
    const completed: CompletionFileState = valid.state === 'valid' ? { ...valid, completion: { ...valid.completion, status: 'completed' } } : valid;
    expect(deriveAgentOutcome('claude', exit1, completed, { ...success, state: 'error', detail: 'API Error: 500' })).toMatchObject({ kind: 'completion', status: 'failed' });
  });

  it('success printed but a non-zero exit is a failure', () => {
    expect(deriveAgentOutcome('codex', exit1, absent, success)).toMatchObject({ kind: 'completion', status: 'failed', summary: 'codex reported success but exited 1' });
  });

  it('tokens known but cost unknown: usage counted, the attempt marked unknown', () => {
    expect(deriveAgentOutcome('codex', exit0, absent, { ...success, costUsd: null })).toMatchObject({ usage: { inputTokens: 10, costUsd: 0, unknownAttempts: 1 } });
  });

  it('no result and no exit record: missing, supervisor died', () => {
    expect(deriveAgentOutcome('gemini', null, absent, emptyResult('no_result', 'nothing on stdout'))).toEqual({
      kind: 'missing',
      reason: 'gemini supervisor died without an exit record without a final result (nothing on stdout)',
    });
  });

  it("gemini exit 53 is a turn limit even when the output says less", () => {
    const adapter = createGeminiAdapter();
    const exit53: ExitInfo = { record: { code: 53, signal: null, endedAt: 1, error: null }, digest: 'sha256:e' };
    const outcome = adapter.deriveOutcome(exit53, absent, { stdoutTail: '{"type":"result","status":"error","error":{"type":"x","message":"y"}}\n', stdoutTruncated: false, argv: null });
    expect(outcome).toMatchObject({ kind: 'completion', status: 'failed', summary: expect.stringContaining('turn limit') as string });
  });
});
