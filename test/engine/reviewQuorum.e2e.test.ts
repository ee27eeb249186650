// A review quorum in the real effects: command reviewers (test/fixtures/reviewers)
// run under the supervisor in a real git worktree, one after another.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.js';
import type { GateResult } from '../../src/domain/gates.js';
import { PacketSchema, type PacketTask } from '../../src/domain/packet.js';
import type { Usage } from '../../src/domain/usage.js';
import { redactorOf } from '../../src/engine/redactResults.js';
import { checkReviewer, createReviewGate } from '../../src/engine/reviewGate.js';
import { createAdapterRegistry, createCommandAdapter } from '../../src/worker/index.js';
import { budgetProblem } from '../../src/engine/reviewQuorum.js';
import { createGitWorkspace } from '../../src/workspace/workspace.js';
import { initRepo, tempDir, writeFiles } from '../workspace/support/tempRepo.js';

const REVIEWER = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/reviewers/reviewer.mjs');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const task: PacketTask = { id: 'b', title: 'b', instructions: 'write b', scope: ['src/b.txt'], acceptance: ['exists'], dependsOn: [] };
const passed: GateResult = { gate: 'review', subject: 'task', taskId: 'b', epoch: 1, status: 'PASS', summary: 'built-in review passed', findings: [], policyViolations: [], evidence: [] };

/** A task worktree with one change, and a review gate whose reviewers are `node reviewer.mjs <mode> <log>`. */
async function setup(modes: string[], require: 'all' | number, o: { budgetUsd?: number; spent?: Usage; builtin?: boolean } = {}) {
  const { dir, cleanup } = await tempDir('review-quorum');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  await initRepo(repo, { 'README.md': 'hello\n' });
  const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
  const lease = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
  if (lease.status !== 'acquired') throw new Error(lease.message);
  const tw = await ws.taskWorkspace({ runId: 'r1', taskId: 'b', epoch: 1, attemptId: 'b.a1' });
  if (tw.status !== 'ready') throw new Error(tw.message);
  await writeFiles(tw.worktree, { 'src/b.txt': 'from b\n' });
  await ws.commitAttempt({ worktree: tw.worktree, attemptId: 'b.a1', message: 'b' });
  const attemptsDir = join(dir, 'attempts');
  await mkdir(attemptsDir, { recursive: true });
  const log = join(dir, 'reviews.log');
  const reviewers = modes.map((mode, i) => ({ adapter: 'command', name: `r${i + 1}`, command: [process.execPath, REVIEWER, mode, log] }));
  const packet = PacketSchema.parse({
    schema: 'buran.packet/v1',
    id: 'p',
    title: 'Quorum',
    goal: 'Review.',
    tasks: [task],
    verify: [['true']],
    worker: { adapter: 'command', command: ['true'] },
    review: { reviewers: o.builtin === true ? [{ adapter: 'builtin' }, ...reviewers] : reviewers, require },
    limits: { taskTimeoutSec: 60, heartbeatTimeoutSec: 10, ...(o.budgetUsd === undefined ? {} : { budgetUsd: o.budgetUsd }) },
  });
  const gate = createReviewGate({
    registry: createAdapterRegistry([createCommandAdapter()]),
    config: ConfigSchema.parse({ schema: 'buran.config/v1' }),
    env: process.env,
    packet,
    runId: 'r1',
    attemptsDir,
    workspace: ws,
    putEvidence: (text) => Promise.resolve(`sha256:${Buffer.from(text).toString('hex').slice(0, 64).padEnd(64, '0')}`),
    redact: redactorOf([]),
    now: () => Date.now(),
    ...spentOption(o.spent),
  });
  const review = (builtin: GateResult = passed) => gate({ subject: 'task', taskId: 'b', attemptId: 'b.a1', epoch: 1, tryNumber: 1, worktree: tw.worktree, base: 'buran/r1', builtin, tasks: [task] });
  const runs = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  return { attemptsDir, review, runs };
}

const spentOption = (spent: Usage | undefined) => (spent === undefined ? {} : { spent: () => Promise.resolve(spent) });

describe('a review quorum of command reviewers', () => {
  it("records every reviewer's verdict and spend, merges the FAILs' findings, and keeps each reviewer in its own folder", async () => {
    const { attemptsDir, review } = await setup(['fail-once', 'pass'], 'all');
    const gate = await review();
    expect(gate.status).toBe('FAIL');
    expect(gate.reviewers?.map((r) => [r.reviewer, r.status])).toEqual([['r1', 'FAIL'], ['r2', 'PASS']]);
    expect(gate.findings.map((f) => f.message)).toEqual(['r1: task b: add a comment saying what the file does']);
    expect(gate.usage).toEqual({ inputTokens: 200, outputTokens: 20, costUsd: 0.02, unknownAttempts: 0 });
    expect(gate.quorum).toMatchObject({ needed: 2, passes: 1, failed: ['r1'] });
    expect(gate.reviewers?.[0]?.summary).toBe('FAIL — one thing to fix');
    expect(readdirSync(attemptsDir).sort()).toEqual(['review.b.a1.e1.t1.r1', 'review.b.a1.e1.t1.r2']);
  }, 60_000);

  it('a restart re-reads every recorded verdict and starts no reviewer again', async () => {
    const { review, runs } = await setup(['pass', 'pass'], 'all');
    expect((await review()).status).toBe('PASS');
    expect(runs()).toHaveLength(2);
    const again = await review();
    expect(again.status).toBe('PASS');
    expect(runs()).toHaveLength(2);
  }, 60_000);

  it('a BLOCKED reviewer blocks unless the quorum is met without it, and the record says which', async () => {
    const blocked = await (await setup(['pass', 'blocked'], 'all')).review();
    expect(blocked.status).toBe('BLOCKED');
    expect(blocked.quorum).toMatchObject({ blocked: ['r2'], carried: false });
    const carried = await (await setup(['pass', 'blocked'], 1)).review();
    expect(carried.status).toBe('PASS');
    expect(carried.quorum).toMatchObject({ blocked: ['r2'], carried: true });
  }, 120_000);

  it("ignores a verdict naming another review's id and refuses a PASS that carries an error: both are BLOCKED, never PASS", async () => {
    const gate = await (await setup(['forge', 'pass-with-error', 'pass'], 2)).review();
    expect(gate.status).toBe('BLOCKED');
    expect(gate.reviewers?.map((r) => r.status)).toEqual(['BLOCKED', 'BLOCKED', 'PASS']);
    expect(gate.reviewers?.[0]?.summary).toContain('no JSON verdict naming reviewId');
    expect(gate.reviewers?.[1]?.summary).toContain('a PASS cannot carry a finding of severity "error"');
  }, 90_000);

  it("never outvotes the built-in reviewer: its FAIL is the gate and no other reviewer is asked", async () => {
    const { review, runs } = await setup(['pass', 'pass'], 1, { builtin: true });
    const fail: GateResult = { ...passed, status: 'FAIL', summary: 'built-in review failed', findings: [{ severity: 'error', rule: 'out_of_scope', message: 'src/x.txt is out of scope' }] };
    expect((await review(fail)).status).toBe('FAIL');
    expect(runs()).toEqual([]);
    const gate = await review();
    expect(gate.reviewers?.map((r) => r.reviewer)).toEqual(['builtin', 'r1', 'r2']);
  }, 60_000);

  it('starts no further reviewer once the run and the reviewers so far have spent the budget', async () => {
    const { review, runs } = await setup(['pass', 'pass'], 'all', { budgetUsd: 1, spent: { inputTokens: 0, outputTokens: 0, costUsd: 0.995, unknownAttempts: 0 } });
    const gate = await review();
    expect(runs()).toHaveLength(1);
    expect(gate.status).toBe('BLOCKED');
    expect(gate.reviewers?.[1]?.summary).toContain('not asked: the spend budget is used up');
    expect(gate.usage?.costUsd).toBe(0.01);
  }, 60_000);
});

describe('preflight of a review quorum', () => {
  it('checks every reviewer and names the one that cannot run', async () => {
    const packet = PacketSchema.parse({
      schema: 'buran.packet/v1',
      id: 'p',
      title: 'Quorum',
      goal: 'Review.',
      tasks: [task],
      verify: [['true']],
      worker: { adapter: 'command', command: ['true'] },
      review: { reviewers: [{ adapter: 'builtin' }, { adapter: 'command', name: 'ok', command: [process.execPath, REVIEWER] }, { adapter: 'command', name: 'gone', command: [process.execPath, '/nonexistent/reviewer.mjs'] }] },
    });
    const o = { registry: createAdapterRegistry([createCommandAdapter()]), config: ConfigSchema.parse({ schema: 'buran.config/v1' }), env: process.env, packet };
    const checked = await checkReviewer(o, process.cwd());
    expect(checked.status).toBe('unavailable');
    expect(checked.status === 'unavailable' ? checked.message : '').toMatch(/^reviewer "gone" \(command\): .*reviewer\.mjs/);
    const unknown = await checkReviewer({ ...o, packet: { ...packet, review: { reviewer: 'builtin', reviewers: [{ adapter: 'nobody' }] } } }, process.cwd());
    expect(unknown.status).toBe('unavailable');
  });
});

describe('the spend check before a further reviewer', () => {
  const spent = (o: Partial<Usage>): Usage => ({ inputTokens: 0, outputTokens: 0, costUsd: 0, unknownAttempts: 0, ...o });
  it('lets a reviewer start while spend is within the budget, as the run chart does (over, not at, the bound stops it)', () => {
    expect(budgetProblem({}, spent({ costUsd: 100, unknownAttempts: 3 }))).toBeNull();
    expect(budgetProblem({ budgetUsd: 1 }, spent({ costUsd: 1 }))).toBeNull();
    expect(budgetProblem({ budgetUsd: 1 }, spent({ costUsd: 1.01 }))).toContain('spend budget is used up');
    expect(budgetProblem({ budgetTokens: 100 }, spent({ inputTokens: 90, outputTokens: 11 }))).toContain('token budget is used up (101 of 100)');
  });

  it('fails closed on spend of unknown size under a budget', () => {
    expect(budgetProblem({ budgetTokens: 100 }, spent({ unknownAttempts: 1 }))).toContain('unknown spend');
  });
});
