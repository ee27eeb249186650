// The review gate of the real effects, with a real git workspace and the
// claude fixture executable as the agent reviewer (test/fixtures/agents).
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.js';
import { BuranError } from '../../src/domain/errors.js';
import type { GateResult } from '../../src/domain/gates.js';
import { PacketSchema, type PacketTask } from '../../src/domain/packet.js';
import { redactorOf } from '../../src/engine/redactResults.js';
import { type ReviewRequest, createReviewGate } from '../../src/engine/reviewGate.js';
import { createAdapterRegistry } from '../../src/worker/index.js';
import { createAgentAdapters } from '../../src/worker/adapters/index.js';
import { writeFileDurableSync } from '../../src/platform/durableWrite.js';
import { type Workspace, createGitWorkspace } from '../../src/workspace/workspace.js';
import { initRepo, tempDir, writeFiles } from '../workspace/support/tempRepo.js';

const CLAUDE = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/agents/bin/claude');
const SECRET = 'review-gate-secret-0123456789';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const task = (id: string, reviewer = 'pass'): PacketTask => ({ id, title: id, instructions: `fixture-reviewer: ${reviewer}`, scope: [`src/${id}.txt`], acceptance: ['exists'], dependsOn: [] });
const passed = (taskId: string): GateResult => ({ gate: 'review', subject: 'task', taskId, epoch: 1, status: 'PASS', summary: 'built-in review passed', findings: [], policyViolations: [], evidence: [] });

/** Run r1 with tasks a and b forked from it; a is merged into the run branch after b forked. */
async function setup(workspace?: (ws: Workspace) => Pick<Workspace, 'diffSince' | 'stateOf'>) {
  const { dir, cleanup } = await tempDir('review-gate');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  await initRepo(repo, { 'README.md': 'hello\n' });
  const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
  const lease = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
  if (lease.status !== 'acquired') throw new Error(lease.message);
  const tree = async (id: string) => {
    const tw = await ws.taskWorkspace({ runId: 'r1', taskId: id, epoch: 1, attemptId: `${id}.a1` });
    if (tw.status !== 'ready') throw new Error(tw.message);
    return tw.worktree;
  };
  const a = await tree('a');
  const b = await tree('b');
  await writeFiles(a, { 'src/a.txt': 'from a\n' });
  await ws.commitAttempt({ worktree: a, attemptId: 'a.a1', message: 'a' });
  await writeFiles(b, { 'src/b.txt': 'from b\n' });
  await ws.commitAttempt({ worktree: b, attemptId: 'b.a1', message: 'b' });
  await ws.mergeTaskIntoRun({ runWorktree: lease.lease.worktree, taskBranch: 'buran-task/r1/a', taskId: 'a', epoch: 1 });

  const attemptsDir = join(dir, 'attempts');
  await mkdir(attemptsDir, { recursive: true });
  const config = ConfigSchema.parse({ schema: 'buran.config/v1', adapters: { claude: { executable: CLAUDE } } });
  const packet = PacketSchema.parse({
    schema: 'buran.packet/v1',
    id: 'p',
    title: 'Review gate',
    goal: 'Review.',
    tasks: [task('a'), task('b')],
    verify: [['true']],
    worker: { adapter: 'claude' },
    review: { reviewer: 'claude' },
    limits: { taskTimeoutSec: 60, heartbeatTimeoutSec: 10 },
  });
  const gate = createReviewGate({
    registry: createAdapterRegistry(createAgentAdapters(config, repo)),
    config,
    env: { ...process.env, REVIEW_API_KEY: SECRET },
    packet,
    runId: 'r1',
    attemptsDir,
    workspace: workspace === undefined ? ws : workspace(ws),
    putEvidence: () => Promise.resolve(`sha256:${'0'.repeat(64)}`),
    redact: redactorOf([SECRET]),
    now: () => Date.now(),
  });
  const review = (over: Partial<ReviewRequest> = {}) =>
    gate({ subject: 'task', taskId: 'b', attemptId: 'b.a1', epoch: 1, tryNumber: 1, worktree: b, base: 'buran/r1', builtin: passed('b'), tasks: [task('b')], ...over });
  return { repo, b, attemptsDir, review };
}

describe('the review gate with an agent reviewer', () => {
  it("shows the reviewer the task's own change since its fork point, not siblings merged into the run branch meanwhile", async () => {
    const { attemptsDir, review } = await setup();
    expect((await review()).status).toBe('PASS');
    const prompt = readFileSync(join(attemptsDir, 'review.b.a1.e1.t1', 'prompt.md'), 'utf8');
    expect(prompt).toContain('+from b');
    expect(prompt).not.toContain('src/a.txt');
  });

  it("a later attempt of the same epoch is reviewed again, not given the earlier attempt's recorded PASS", async () => {
    const { attemptsDir, review } = await setup();
    expect((await review()).status).toBe('PASS');
    const second = await review({ attemptId: 'b.a2', tasks: [task('b', 'fail')] });
    expect(second.status).toBe('FAIL');
    expect(readdirSync(attemptsDir).sort()).toEqual(['review.b.a1.e1.t1', 'review.b.a2.e1.t1']);
  });

  it('the same try number returns the recorded BLOCKED (a restart); the next try number asks again (an operator retry)', async () => {
    const { attemptsDir, review } = await setup();
    expect((await review({ tasks: [task('b', 'garbage')] })).status).toBe('BLOCKED');
    expect((await review({ tasks: [task('b', 'pass')] })).status).toBe('BLOCKED');
    expect(readdirSync(attemptsDir)).toEqual(['review.b.a1.e1.t1']);
    expect((await review({ tryNumber: 2, tasks: [task('b', 'pass')] })).status).toBe('PASS');
  });

  it('a diff git cannot produce is BLOCKED and no reviewer starts', async () => {
    const failing = (ws: Workspace) => ({ stateOf: (w: string) => ws.stateOf(w), diffSince: () => Promise.reject(new BuranError({ code: 'internal', message: 'git diff exited 128', details: {} })) });
    const { attemptsDir, review } = await setup(failing);
    const gate = await review();
    expect(gate.status).toBe('BLOCKED');
    expect(gate.summary).toContain('git diff exited 128');
    expect(readdirSync(attemptsDir)).toEqual([]);
  });

  it('a workspace state git cannot read is BLOCKED, not "unchanged"', async () => {
    const failing = (ws: Workspace) => ({ diffSince: (w: string, base: string) => ws.diffSince(w, base), stateOf: () => Promise.reject(new BuranError({ code: 'internal', message: 'git status exited 128', details: {} })) });
    const { review } = await setup(failing);
    const gate = await review();
    expect(gate.status).toBe('BLOCKED');
    expect(gate.summary).toContain('git status exited 128');
  });

  it("a recorded result is returned without the runner's secrets in its summary and findings", async () => {
    const { attemptsDir, review } = await setup();
    const recorded: GateResult = { ...passed('b'), status: 'FAIL', summary: `agent said ${SECRET}`, findings: [{ severity: 'error', message: `leaked ghp_${'a'.repeat(36)} and ${SECRET}` }] };
    await mkdir(join(attemptsDir, 'review.b.a1.e1.t1'), { recursive: true });
    writeFileDurableSync(join(attemptsDir, 'review.b.a1.e1.t1', 'gate.json'), JSON.stringify(recorded));
    const gate = await review();
    expect(JSON.stringify(gate)).not.toContain(SECRET);
    expect(JSON.stringify(gate)).not.toContain('ghp_');
    expect(gate.findings[0]?.message).toBe('leaked [redacted] and [redacted]');
  });

});
