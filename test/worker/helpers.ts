// Shared setup of the worker tests: temp attempt folders, fixture workers,
// and waiting for real processes to go away.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { ExpectedAttempt } from '../../src/domain/completion.js';
import type { Invocation } from '../../src/worker/adapter.js';
import { type StartAttemptSpec, type StartedAttempt, startAttempt } from '../../src/worker/attempt.js';
import { killAttempt } from '../../src/worker/killAttempt.js';
import { isProcessAlive } from '../../src/platform/process.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

export const EXPECTED: ExpectedAttempt = { runId: 'run-1', taskId: 'a', attemptId: 'a.a1', epoch: 1 };

const roots: string[] = [];
const started: string[] = [];

/** A fresh temp folder, removed (and its attempts killed) after the file's tests. */
export function tempDir(prefix = 'buran-worker-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of started) await killAttempt(dir, { graceMs: 200 });
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

/** The environment a command-adapter worker gets for EXPECTED in `attemptDir`. */
export function workerEnv(attemptDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    BURAN_RUN_ID: EXPECTED.runId,
    BURAN_TASK_ID: EXPECTED.taskId,
    BURAN_ATTEMPT_ID: EXPECTED.attemptId,
    BURAN_ATTEMPT: '1',
    BURAN_EPOCH: String(EXPECTED.epoch),
    BURAN_PROMPT_FILE: join(attemptDir, 'prompt.md'),
    BURAN_COMPLETION_FILE: join(attemptDir, 'out', 'completion.json'),
    BURAN_WORKSPACE: attemptDir,
    ...extra,
  };
}

export function invocation(attemptDir: string, name: string, args: string[] = []): Invocation {
  return { argv: [fixture(name), ...args], env: workerEnv(attemptDir), cwd: attemptDir };
}

/** Start a fixture worker in a new attempt folder (or the one given). */
export async function startFixture(
  name: string,
  args: string[] = [],
  options: Partial<Omit<StartAttemptSpec, 'invocation'>> = {},
): Promise<{ dir: string; started: StartedAttempt }> {
  const dir = options.attemptDir ?? join(tempDir(), 'attempt');
  started.push(dir);
  const result = await startAttempt({ timeoutMs: 60_000, ...options, attemptDir: dir, invocation: invocation(dir, name, args) });
  return { dir, started: result };
}

/** Resolves true once the process is gone (or a zombie, which PID 1 reaps slowly here), false after `timeoutMs`. */
export async function gone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Resolves true once `process.kill(pid, 0)` throws ESRCH (reaped), false after `timeoutMs`. */
export async function reaped(pid: number, timeoutMs = 6_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
