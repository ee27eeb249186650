import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptStatus, startAttempt } from '../../src/worker/attempt.js';
import { attemptPaths } from '../../src/worker/attemptFiles.js';
import { deriveCommandOutcome } from '../../src/worker/commandAdapter.js';
import { tail } from '../../src/worker/tail.js';
import { waitForOutcome } from '../../src/worker/waitForOutcome.js';
import { EXPECTED, fixture, gone, invocation, startFixture, tempDir } from './helpers.js';

const sha256 = (file: string) => `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
const wait = (dir: string, extra: Partial<Parameters<typeof waitForOutcome>[1]> = {}) =>
  waitForOutcome(dir, { expected: EXPECTED, deadlineAt: null, heartbeatTimeoutMs: 10_000, ...extra });
const markerCount = (file: string) => readFileSync(file, 'utf8').trim().split('\n').length;

describe('an attempt that ends by itself', () => {
  it('ingests a valid completion with the sha256 of its bytes, summary, files and usage', async () => {
    const { dir, started } = await startFixture('complete.mjs', ['--delay=200']);
    expect(started.how).toBe('spawned');
    expect(started.pid).toEqual(expect.any(Number) as unknown);
    const outcome = await wait(dir);
    expect(outcome).toEqual({
      kind: 'completion',
      status: 'completed',
      digest: sha256(attemptPaths(dir).completion),
      summary: 'fixture did the work',
      changedFiles: ['src/a.ts'],
      usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.01, unknownAttempts: 0 },
    });
  });

  it('reports the status the worker wrote (failed, blocked)', async () => {
    const { dir } = await startFixture('complete.mjs', ['--status=blocked']);
    expect(await wait(dir)).toMatchObject({ kind: 'completion', status: 'blocked' });
  });

  it('command adapter: exit 0 without a completion file is completed, digested from exit.json', async () => {
    const { dir } = await startFixture('exit0.mjs');
    const outcome = await wait(dir, { deriveOutcome: deriveCommandOutcome });
    expect(outcome).toEqual({
      kind: 'completion',
      status: 'completed',
      digest: sha256(attemptPaths(dir).exit),
      summary: 'exited 0 (no completion file)',
      changedFiles: [],
      usage: null,
    });
    expect(tail(attemptPaths(dir).stdout, 1000)).toBe('did something, wrote no completion\n');
  });

  it('command adapter: exit 3 without a completion file is failed; stderr is kept, escapes stripped for display', async () => {
    const { dir } = await startFixture('exit3.mjs');
    const outcome = await wait(dir, { deriveOutcome: deriveCommandOutcome });
    expect(outcome).toMatchObject({ kind: 'completion', status: 'failed', summary: 'exited 3 (no completion file)' });
    expect(tail(attemptPaths(dir).stderr, 1000)).toBe('error: something broke\n');
  });

  it('default derivation: exit 0 without a completion file is missing', async () => {
    const { dir } = await startFixture('exit0.mjs');
    expect(await wait(dir)).toEqual({ kind: 'missing', reason: 'worker exited 0 without a completion file' });
  });

  it('a completion that breaks the schema is invalid, with its problems and digest', async () => {
    const { dir } = await startFixture('invalid.mjs');
    const outcome = await wait(dir, { deriveOutcome: deriveCommandOutcome });
    expect(outcome).toMatchObject({ kind: 'invalid', digest: sha256(attemptPaths(dir).completion), usage: null });
    expect(outcome.kind === 'invalid' && outcome.problems.join('\n')).toMatch(/extra/);
  });

  it('a completion naming another attempt is invalid (mismatch), never accepted', async () => {
    const { dir } = await startFixture('other-attempt.mjs');
    const outcome = await wait(dir, { deriveOutcome: deriveCommandOutcome });
    expect(outcome).toMatchObject({ kind: 'invalid' });
    expect(outcome.kind === 'invalid' && outcome.problems).toEqual([expect.stringMatching(/^attemptId: names "someone-else.a9"/) as unknown]);
  });

  it('an executable that cannot be spawned is recorded in exit.json and comes out missing', async () => {
    const dir = join(tempDir(), 'attempt');
    const started = await startAttempt({
      attemptDir: dir,
      timeoutMs: 10_000,
      invocation: { ...invocation(dir, 'complete.mjs'), argv: [join(dir, 'no-such-worker')] },
    });
    expect(started.pid).toBeNull();
    expect(await wait(dir, { deriveOutcome: deriveCommandOutcome })).toEqual({
      kind: 'missing',
      reason: expect.stringMatching(/^worker could not be started: spawn .*ENOENT/) as unknown,
    });
  });
});

describe('exactly one worker per attempt folder', () => {
  it('re-attaches when started again: same pid, one worker ran', async () => {
    const marker = join(tempDir(), 'marker');
    const { dir, started } = await startFixture('complete.mjs', ['--delay=600', `--marker=${marker}`]);
    const again = await startAttempt({ attemptDir: dir, timeoutMs: 60_000, invocation: invocation(dir, 'complete.mjs', [`--marker=${marker}`]) });
    expect(again).toEqual({ ...started, how: 'reattached' });
    expect(attemptStatus(dir)).toMatchObject({ state: 'running', pid: started.pid });
    await wait(dir);
    const after = await startAttempt({ attemptDir: dir, timeoutMs: 60_000, invocation: invocation(dir, 'complete.mjs', [`--marker=${marker}`]) });
    expect(after).toEqual({ ...started, how: 'ended' });
    expect(markerCount(marker)).toBe(1);
  });

  it('two concurrent starts of one folder race for the claim; one worker runs, both see it', async () => {
    const marker = join(tempDir(), 'marker');
    const dir = join(tempDir(), 'attempt');
    const spec = { attemptDir: dir, timeoutMs: 60_000, invocation: invocation(dir, 'complete.mjs', ['--delay=300', `--marker=${marker}`]) };
    const [a, b] = await Promise.all([startAttempt(spec), startAttempt(spec)]);
    expect(a.pid).toBe(b.pid);
    expect(a.supervisorPid).toBe(b.supervisorPid);
    // The second call sees the first one's intent without pid.json and takes the recovery path: still one claim.
    expect([a.how, b.how]).toContain('reattached');
    expect([a.how, b.how].filter((how) => how !== 'reattached')).toEqual([expect.stringMatching(/^(spawned|recovered)$/) as unknown]);
    expect(await wait(dir)).toMatchObject({ kind: 'completion', status: 'completed' });
    expect(markerCount(marker)).toBe(1);
    expect(readFileSync(attemptPaths(dir).supervisorLog, 'utf8')).toMatch(/already claimed/);
  });

  it('an intent without pid.json (runner died between intent and spawn) is started once, with a recovery note', async () => {
    const marker = join(tempDir(), 'marker');
    const dir = join(tempDir(), 'attempt');
    mkdirSync(dir);
    writeFileSync(attemptPaths(dir).intent, JSON.stringify({ schema: 'buran.attempt-intent/v1', writtenAt: 1, specDigest: 'sha256:old', attempt: null }));
    const { started } = await startFixture('complete.mjs', [`--marker=${marker}`], { attemptDir: dir });
    expect(started.how).toBe('recovered');
    expect(await wait(dir)).toMatchObject({ kind: 'completion' });
    expect(markerCount(marker)).toBe(1);
    const notes = readFileSync(attemptPaths(dir).recovered, 'utf8').trim().split('\n');
    expect(notes.map((line) => JSON.parse(line) as unknown)).toEqual([{ at: expect.any(Number) as unknown, intentWrittenAt: 1, sameSpec: false }]);
  });

  it('survives its runner being SIGKILLed: the worker finishes and a new wait picks up its completion once', async () => {
    const marker = join(tempDir(), 'marker');
    const dir = join(tempDir(), 'attempt');
    const driver = spawn(
      process.execPath,
      ['--import', 'tsx', fixture('driver.ts'), dir, fixture('complete.mjs'), '--delay=1200', `--marker=${marker}`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      driver.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      driver.once('exit', (code) => reject(new Error(`driver exited ${code} before starting the attempt`)));
    });
    const started = JSON.parse(line) as { pid: number; supervisorPid: number };
    driver.kill('SIGKILL');
    await new Promise((resolve) => driver.once('exit', resolve));

    expect(attemptStatus(dir)).toMatchObject({ state: 'running', pid: started.pid });
    const first = await wait(dir);
    expect(first).toMatchObject({ kind: 'completion', status: 'completed' });
    expect(await wait(dir)).toEqual(first);
    expect(markerCount(marker)).toBe(1);
    expect(attemptStatus(dir).state).toBe('exited');
  });
});

describe('a supervisor that dies', () => {
  it('SIGKILLed without exit.json: missing, and the orphaned worker is ended', async () => {
    const { dir, started } = await startFixture('hang.mjs');
    process.kill(started.supervisorPid, 'SIGKILL');
    expect(await gone(started.supervisorPid)).toBe(true);
    expect(attemptStatus(dir).state).toBe('dead');
    expect(await wait(dir)).toEqual({ kind: 'missing', reason: 'supervisor died without an exit record' });
    expect(await gone(started.pid ?? 0)).toBe(true);
    expect(JSON.parse(readFileSync(attemptPaths(dir).kill, 'utf8'))).toMatchObject({ reason: 'orphan', by: 'runner' });
    expect(existsSync(attemptPaths(dir).exit)).toBe(false);
  });
});

describe('attemptStatus', () => {
  it('is not-started for an empty folder', () => {
    expect(attemptStatus(tempDir())).toEqual({ state: 'not-started', pid: null, supervisorPid: null, heartbeatAgeMs: null, exit: null, kill: null });
  });

  it('is exited with the exit record once the worker ended', async () => {
    const { dir } = await startFixture('exit3.mjs');
    await wait(dir);
    expect(attemptStatus(dir)).toMatchObject({ state: 'exited', exit: { code: 3, signal: null, error: null } });
  });
});
