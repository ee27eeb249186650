// The result parsers of the claude, codex and gemini adapters, on the output
// the real CLIs printed (recordings in test/fixtures/agents/<cli>/<scenario>/,
// captured against loopback stand-ins of their model APIs) and on broken
// streams made by hand.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttemptOutput } from '../../../src/worker/adapter.js';
import { parseClaudeResult, parseCodexResult, parseGeminiResult, parseJsonLines } from '../../../src/worker/adapters/index.js';

const RECORDINGS = resolve('test/fixtures/agents');

function recorded(cli: string, scenario: string, format = 'stream-json'): AttemptOutput {
  const dirs = [join(RECORDINGS, cli, scenario, format), join(RECORDINGS, cli, scenario)];
  const dir = dirs.find((d) => existsSync(join(d, 'stdout')));
  if (dir === undefined) throw new Error(`no recording ${cli}/${scenario}`);
  return { stdoutTail: readFileSync(join(dir, 'stdout'), 'utf8'), stdoutTruncated: false, argv: ['codex', 'exec', '-m', 'gpt-5.5', '-'] };
}

const out = (stdoutTail: string, o: Partial<AttemptOutput> = {}): AttemptOutput => ({ stdoutTail, stdoutTruncated: false, argv: null, ...o });

describe('claude (recorded from Claude Code 2.1.197)', () => {
  it.each(['stream-json', 'json'])('success (%s): final message, session id, tokens with cache, reported cost', (format) => {
    const r = parseClaudeResult(recorded('claude', 'success', format));
    expect(r.state).toBe('success');
    expect(r.message).toBe('Created hello.txt.');
    expect(r.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    // input 2700 + cache creation 400 + cache read 1900
    expect([r.inputTokens, r.outputTokens]).toEqual([5000, 105]);
    expect(r.costUsd).toBeCloseTo(0.011745, 9);
    expect(r.permissionDenials).toEqual([]);
  });

  it.each(['api-500', 'api-401', 'garbled'])('%s is an error although subtype says "success" (is_error decides)', (scenario) => {
    const r = parseClaudeResult(recorded('claude', scenario));
    expect(r.state).toBe('error');
    expect(r.detail).toMatch(/API Error|Invalid API key/);
    expect(r.costUsd).toBe(0);
  });

  it('max turns: error_max_turns with its errors[]', () => {
    const r = parseClaudeResult(recorded('claude', 'max-turns'));
    expect(r.state).toBe('max_turns');
    expect(r.detail).toContain('3 turns');
  });

  it('a refused tool: success, with the denied tool listed', () => {
    const r = parseClaudeResult(recorded('claude', 'tool-denied'));
    expect(r.state).toBe('success');
    expect(r.permissionDenials).toEqual(['Write']);
  });

  it('a line that is not JSON makes the stream malformed', () => {
    expect(parseClaudeResult(out('{"type":"system","subtype":"init"}\nnot json\n')).state).toBe('malformed');
  });

  it('a result without a boolean is_error is malformed, never success', () => {
    expect(parseClaudeResult(out('{"type":"result","subtype":"success","result":"ok"}\n')).state).toBe('malformed');
  });

  it('a stream cut off mid-line has no result', () => {
    const r = parseClaudeResult(out('{"type":"system","subtype":"init","session_id":"s1"}\n{"type":"result","subtype":"succ'));
    expect(r).toMatchObject({ state: 'no_result', sessionId: 's1', detail: 'output cut off mid-line' });
  });

  it('the cut first line of a truncated tail is skipped', () => {
    const tail = 'cut": 1}\n{"type":"result","subtype":"success","is_error":false,"result":"done","total_cost_usd":0.5,"usage":{"input_tokens":1,"output_tokens":2}}\n';
    expect(parseClaudeResult(out(tail, { stdoutTruncated: true }))).toMatchObject({ state: 'success', message: 'done', costUsd: 0.5, inputTokens: 1, outputTokens: 2 });
    expect(parseClaudeResult(out(tail)).state).toBe('malformed');
  });
});

describe('codex (recorded from Codex 0.169.0)', () => {
  const prices = { 'gpt-5.5': { inputUsdPerMTok: 2, cachedInputUsdPerMTok: 0.5, outputUsdPerMTok: 10 } };

  it('success: thread id, last agent message, tokens; cost from the price of the model on the command line', () => {
    const r = parseCodexResult(recorded('codex', 'success'), prices);
    expect(r).toMatchObject({ state: 'success', message: 'Created hello.txt.', inputTokens: 4400, outputTokens: 78 });
    expect(r.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    // (4400 - 3072) × 2 + 3072 × 0.5 + 78 × 10, per million
    expect(r.costUsd).toBeCloseTo((1328 * 2 + 3072 * 0.5 + 78 * 10) / 1e6, 12);
  });

  it('without a price for the model the cost is unknown (null), not zero', () => {
    expect(parseCodexResult(recorded('codex', 'success')).costUsd).toBeNull();
    expect(parseCodexResult(recorded('codex', 'success'), { 'other-model': prices['gpt-5.5'] }).costUsd).toBeNull();
  });

  it.each(['api-500', 'api-401', 'garbled'])('%s: turn.failed is an error', (scenario) => {
    const r = parseCodexResult(recorded('codex', scenario), prices);
    expect(r.state).toBe('error');
    expect(r.inputTokens).toBeNull();
  });

  it('a failing command inside a completed turn is still a completed turn (verification judges the work)', () => {
    expect(parseCodexResult(recorded('codex', 'command-fails'), prices).state).toBe('success');
  });

  it('an unknown-model error item is kept as a warning in the detail', () => {
    const r = parseCodexResult(recorded('codex', 'unknown-model'), prices);
    expect(r.state).toBe('success');
    expect(r.detail).toContain('Model metadata');
  });

  it('no turn.completed: no result', () => {
    expect(parseCodexResult(out('{"type":"thread.started","thread_id":"t"}\n{"type":"turn.started"}\n')).state).toBe('no_result');
  });
});

describe('gemini (recorded from Gemini CLI 0.61.0)', () => {
  const prices = { 'gemini-2.5-pro': { inputUsdPerMTok: 1, outputUsdPerMTok: 10 } };

  it('success: session id from init, the assistant text after the last tool, tokens per model priced', () => {
    const r = parseGeminiResult(recorded('gemini', 'success'), prices);
    // output_tokens is 55; total_tokens 6462 - input 6400 = 62 counts the 7 thinking tokens too, billed as output.
    expect(r).toMatchObject({ state: 'success', message: 'Created hello.txt.', inputTokens: 6400, outputTokens: 62 });
    expect(r.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.costUsd).toBeCloseTo((6400 * 1 + 62 * 10) / 1e6, 12);
  });

  it('max session turns: FatalTurnLimitedError', () => {
    expect(parseGeminiResult(recorded('gemini', 'max-turns'), prices).state).toBe('max_turns');
  });

  it.each(['api-500', 'api-401', 'garbled'])('%s: result status error', (scenario) => {
    const r = parseGeminiResult(recorded('gemini', scenario), prices);
    expect(r.state).toBe('error');
    expect(r.detail).toContain('API Error');
  });

  it('an error event of severity error fails a run whose result says success', () => {
    const lines = ['{"type":"init","session_id":"s"}', '{"type":"error","severity":"error","message":"Maximum session turns exceeded"}', '{"type":"result","status":"success","stats":{}}'];
    expect(parseGeminiResult(out(`${lines.join('\n')}\n`)).state).toBe('max_turns');
  });

  it('an unknown result status is malformed', () => {
    expect(parseGeminiResult(out('{"type":"result","status":"maybe"}\n')).state).toBe('malformed');
  });
});

describe('parseJsonLines', () => {
  it('skips blank lines and reports the first line that is not a JSON object', () => {
    expect(parseJsonLines('{"a":1}\n\n[1]\n{"b":2}\n', false)).toEqual({ records: [{ a: 1 }], bad: '[1]', cut: false });
  });
});
