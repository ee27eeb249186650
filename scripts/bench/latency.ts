// 3. Completion-detection latency: a real detached supervisor runs a tiny
// worker that writes a valid completion and exits; we time from the exit to
// waitForOutcome resolving.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExpectedAttempt } from '../../src/domain/completion.js';
import { attemptPaths, deriveCommandOutcome, killAttempt, startAttempt, waitForOutcome } from '../../src/worker/index.js';
import { summary } from './stats.js';

/** The worker: waits (so the waiter is already watching), writes its completion atomically, stamps its exit time, exits 0. */
const WORKER = `#!/usr/bin/env node
import { renameSync, writeFileSync } from 'node:fs';
const [delay, stamp] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Number(delay)));
const file = process.env.BURAN_COMPLETION_FILE;
const completion = {
  schema: 'buran.completion/v1',
  runId: process.env.BURAN_RUN_ID,
  taskId: process.env.BURAN_TASK_ID,
  attemptId: process.env.BURAN_ATTEMPT_ID,
  epoch: Number(process.env.BURAN_EPOCH),
  status: 'completed',
  summary: 'bench worker: nothing to do',
  changedFiles: [],
};
writeFileSync(file + '.tmp', JSON.stringify(completion));
renameSync(file + '.tmp', file);
writeFileSync(stamp, String(Date.now()));
process.exit(0);
`;

export interface LatencyResult {
  readonly runs: number;
  /** Worker's own exit stamp → waitForOutcome resolved (ms). */
  readonly fromWorkerExit: { median: number; p95: number; max: number };
  /** exit.json endedAt (the supervisor saw the exit) → resolved (ms). */
  readonly fromExitRecord: { median: number; p95: number; max: number };
  /** startAttempt call → supervisor claimed the folder and spawned the worker (ms). */
  readonly startMedianMs: number;
  readonly outcomes: Record<string, number>;
}

export async function measureDetectionLatency(runs: number, delayMs: number): Promise<LatencyResult> {
  const root = mkdtempSync(join(tmpdir(), 'buran-bench-latency-'));
  const workerFile = join(root, 'worker.mjs');
  writeFileSync(workerFile, WORKER);
  chmodSync(workerFile, 0o755);
  const fromWorker: number[] = [];
  const fromRecord: number[] = [];
  const starts: number[] = [];
  const outcomes: Record<string, number> = {};
  try {
    for (let i = 0; i < runs; i += 1) {
      const attemptDir = join(root, `attempt-${i}`);
      const stamp = join(root, `exit-${i}.txt`);
      const expected: ExpectedAttempt = { runId: 'bench-latency', taskId: 'noop', attemptId: `noop.a${i + 1}`, epoch: 1 };
      const env: Record<string, string> = {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        BURAN_RUN_ID: expected.runId,
        BURAN_TASK_ID: expected.taskId,
        BURAN_ATTEMPT_ID: expected.attemptId,
        BURAN_ATTEMPT: String(i + 1),
        BURAN_EPOCH: String(expected.epoch),
        BURAN_PROMPT_FILE: join(attemptDir, 'prompt.md'),
        BURAN_COMPLETION_FILE: join(attemptDir, 'completion.json'),
        BURAN_WORKSPACE: root,
      };
      const t0 = Date.now();
      await startAttempt({ attemptDir, timeoutMs: 60_000, attempt: expected, invocation: { argv: [process.execPath, workerFile, String(delayMs), stamp], env, cwd: root } });
      starts.push(Date.now() - t0);
      try {
        const outcome = await waitForOutcome(attemptDir, { expected, deadlineAt: Date.now() + 30_000, heartbeatTimeoutMs: 10_000, deriveOutcome: deriveCommandOutcome });
        const resolvedAt = Date.now();
        const key = outcome.kind === 'completion' ? `completion:${outcome.status}` : outcome.kind;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        const { endedAt } = JSON.parse(readFileSync(attemptPaths(attemptDir).exit, 'utf8')) as { endedAt: number };
        fromWorker.push(resolvedAt - Number(readFileSync(stamp, 'utf8')));
        fromRecord.push(resolvedAt - endedAt);
      } catch (error) {
        await killAttempt(attemptDir, { graceMs: 200 }); // leave no worker behind
        throw error;
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const w = summary(fromWorker);
  const r = summary(fromRecord);
  return {
    runs,
    fromWorkerExit: { median: w.median, p95: w.p95, max: w.max },
    fromExitRecord: { median: r.median, p95: r.p95, max: r.max },
    startMedianMs: summary(starts).median,
    outcomes,
  };
}
