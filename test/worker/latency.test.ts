import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attemptPaths } from '../../src/worker/attemptFiles.js';
import { deriveCommandOutcome } from '../../src/worker/commandAdapter.js';
import { waitForOutcome } from '../../src/worker/waitForOutcome.js';
import { EXPECTED, startFixture } from './helpers.js';

const RUNS = 20;
const CONCURRENCY = 4;

/** ms from the worker's exit (as the supervisor recorded it) to waitForOutcome resolving. */
async function detectionLatency(): Promise<number> {
  const { dir } = await startFixture('exit0.mjs', ['--delay=250']);
  const outcome = await waitForOutcome(dir, { expected: EXPECTED, deadlineAt: null, heartbeatTimeoutMs: 10_000, deriveOutcome: deriveCommandOutcome });
  const resolvedAt = Date.now();
  expect(outcome).toMatchObject({ kind: 'completion', status: 'completed' });
  const { endedAt } = JSON.parse(readFileSync(attemptPaths(dir).exit, 'utf8')) as { endedAt: number };
  return resolvedAt - endedAt;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

describe('detection latency', () => {
  // How fast is measured by the bench (npm run bench: completion detection); here: every exit is noticed, none is missed.
  it(`notices each of ${RUNS} quick workers' exits, ${CONCURRENCY} at a time (fs.watch, polling as fallback)`, async () => {
    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i += CONCURRENCY) {
      latencies.push(...(await Promise.all(Array.from({ length: Math.min(CONCURRENCY, RUNS - i) }, detectionLatency))));
    }
    latencies.sort((a, b) => a - b);
    const [median, p95] = [quantile(latencies, 0.5), quantile(latencies, 0.95)];
    console.log(`detection latency over ${RUNS} workers (${CONCURRENCY} at a time): median ${median} ms, p95 ${p95} ms, max ${latencies.at(-1)} ms`);
    expect(latencies).toHaveLength(RUNS);
    for (const latency of latencies) expect(Number.isFinite(latency)).toBe(true);
  });
});
