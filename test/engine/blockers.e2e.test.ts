// Every blocker code the built-in pieces can produce, reached end to end: a
// real temp git repository, the real engine (openProject), the command adapter
// running fixture agents under the real supervisor, real verification commands
// and the built-in reviewer. Each run must stop `blocked` with the expected
// code and a next safe action; a few are then unblocked with `retry` once
// their cause is fixed and must reach handoff.
//
// Reached elsewhere, because they need an agent reviewer or a pull request:
// - review_blocked: an agent reviewer with unusable output, in agents.e2e.test.ts.
// - handoff_failed: reached through the pull-request step in
//   test/handoff/pullRequest.e2e.test.ts.
// - handoff_moved: not a chart blocker; a handed-off run whose branch moved,
//   in handoffMoved.e2e.test.ts and test/handoff/pullRequest.e2e.test.ts.
// - store_corrupt: never a run blocker; a corrupt store makes drive() reject
//   with a BuranError of that code (tested below).
// - queue_not_durable: a run whose config names a Redis that could lose jobs, in
//   test/chaos/queueRunner.test.ts (a real redis-server); queue_unavailable (no
//   queue.remote) in test/engine/queueAttempts.test.ts.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockerCode } from '../../src/domain/blockers.js';
import { openProject } from '../../src/engine/project.js';
import type { DriveResult } from '../../src/engine/runner.js';
import {
  VERIFY_OK,
  agent,
  runProcessesGone,
  approvedRun,
  attemptIds,
  attemptsDir,
  cleanup,
  driverResult,
  fixture,
  git,
  makeRepo,
  markerLines,
  packet,
  spawnDriver,
  waitFor,
  writePacket,
  markerFile,
} from './fixtures/project.js';

afterAll(cleanup);

function expectBlocked(result: DriveResult, code: BlockerCode): void {
  expect(result.status).toBe('blocked');
  expect(result.blocker?.code, JSON.stringify(result.blocker, null, 2)).toBe(code);
  expect(result.blocker?.message).not.toBe('');
  expect(result.blocker?.nextSafeAction.text).not.toBe('');
  expect(result.nextSafeAction.text).toBe(result.blocker?.nextSafeAction.text);
}

/** A worker ran (the marker recorded it) and no process of the run is left (found by environment, so sandboxed ones too). */
async function expectNoWorkerLeft(marker: string, runId: string): Promise<void> {
  expect(markerLines(marker).length).toBeGreaterThan(0);
  expect(await runProcessesGone(runId, 3_000)).toBe(true);
}


function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

describe('blocker codes reached end to end', () => {
  it('plan_insufficient: the packet file was edited into an insufficient one after approval', async () => {
    const p = packet({ command: agent('ok') });
    const { repo, project, runId } = await approvedRun(p);
    writePacket(repo, { ...p, tasks: [] });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'plan_insufficient');
    expect(result.blocker?.message).toContain('tasks');
    expect(attemptIds(project, runId)).toEqual([]);
  });

  it('packet_tampered: a title changed after approval', async () => {
    const p = packet({ command: agent('ok') });
    const { repo, project, runId } = await approvedRun(p);
    writePacket(repo, { ...p, title: 'A different title' });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'packet_tampered');
    expect(result.blocker?.details).toMatchObject({ approvedHash: expect.any(String) as unknown, actualHash: expect.any(String) as unknown });
    expect(attemptIds(project, runId)).toEqual([]);
  });

  it('adapter_unavailable: worker.command names a missing executable; installing it and retrying reaches handoff', async () => {
    const repo = makeRepo();
    const bin = join(repo, 'not-yet-installed');
    const executable = join(bin, 'fixture-agent');
    const { project, runId } = await approvedRun(packet({ command: [executable] }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'adapter_unavailable');
    expect(result.blocker?.details).toMatchObject({ executable });
    expect(attemptIds(project, runId)).toEqual([]);

    // Fix the cause: install the agent where the packet says it is, then retry.
    mkdirSync(bin, { recursive: true });
    writeFileSync(executable, `#!/bin/sh\nexec node ${JSON.stringify(fixture('agent.mjs'))} ok "$@"\n`);
    chmodSync(executable, 0o755);
    await project.runner.command(runId, { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'installed the agent' });
    const done = await project.runner.drive(runId);
    expect(done.blocker).toBeNull();
    expect(done.status).toBe('handoff_ready');
    expect(done.snapshot.context.decisions.map((d) => [d.decision, d.blockerCode])).toEqual([['retry', 'adapter_unavailable']]);
    expect(git(repo, 'show', `buran/${runId}:src/alpha.txt`)).toContain('alpha.a1');
  });

  it('lease_conflict: a second run whose scope overlaps a running one; once the first is done, retry reaches handoff', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    // Long enough that the first run still holds its scope when the second, started only now, reaches its lease
    // (a task's own cost after its worker is small since issue 15; on a loaded machine 2.5 s was not always enough).
    const first = await approvedRun(packet({ command: ['node', fixture('slow-agent.mjs'), marker, '8000'] }), { repo });
    const driver = spawnDriver(repo, first.runId);
    await waitFor('the first run to hold its lease and run its worker', () => markerLines(marker).length >= 1, 20_000);

    const second = await approvedRun(packet({ id: 'overlapping-work', command: agent('ok') }), { repo, name: 'packet2.json' });
    const result = await second.project.runner.drive(second.runId);
    expectBlocked(result, 'lease_conflict');
    expect(result.blocker?.details).toMatchObject({ otherRun: first.runId });
    expect(attemptIds(second.project, second.runId)).toEqual([]);

    // The first run finishes (and frees its scope); the second may then take it.
    await driver.exited;
    expect(driverResult(driver)?.status, driver.output()).toBe('handoff_ready');
    await second.project.runner.command(second.runId, { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'the other run is done' });
    // Operator commands change state only (no effect runs), so driving right away cannot race a lease in flight.
    const done = await second.project.runner.drive(second.runId);
    expect(done.blocker).toBeNull();
    expect(done.status).toBe('handoff_ready');
    await expectNoWorkerLeft(marker, second.runId);
  });

  it('completion_missing: the worker SIGKILLs its own supervisor, so nobody records how it ended (maxAttempts 1)', async () => {
    // Trusted-worker mode: inside the sandbox the worker has its own PID namespace and cannot see its supervisor.
    const repo = makeRepo({ sandbox: 'none' });
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: agent('kill-supervisor', { marker }), limits: { maxAttempts: 1 } }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'completion_missing');
    expect(result.blocker?.message).toContain('supervisor died');
    const dir = join(attemptsDir(project, runId), 'alpha.a1');
    expect(readJson(join(dir, 'kill.json'))).toMatchObject({ reason: 'orphan' });
    expect(() => readFileSync(join(dir, 'exit.json'))).toThrow();
    await expectNoWorkerLeft(marker, runId);
  });

  it('completion_invalid: the completion names another attempt (maxAttempts 1)', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: agent('other-attempt', { marker }), limits: { maxAttempts: 1 } }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'completion_invalid');
    expect(result.blocker?.message).toContain('alpha.a99');
    await expectNoWorkerLeft(marker, runId);
  });

  it('retry_exhausted: the worker exits 3 on every attempt (maxAttempts 2: two attempts)', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: agent('exit3', { marker }), limits: { maxAttempts: 2 } }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'retry_exhausted');
    expect(attemptIds(project, runId)).toEqual(['alpha.a1', 'alpha.a2']);
    expect(markerLines(marker).map((l) => l.attemptId)).toEqual(['alpha.a1', 'alpha.a2']);
    await expectNoWorkerLeft(marker, runId);
  });

  it('retry_exhausted, then the cause is fixed: UNBLOCK retry grants a new attempt and the run reaches handoff', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const flag = join(repo, 'broken.flag');
    writeFileSync(flag, 'the agent fails while this file exists\n');
    const { project, runId } = await approvedRun(packet({ command: agent('fail-while', { marker, flag }), limits: { maxAttempts: 1 } }), { repo });
    expectBlocked(await project.runner.drive(runId), 'retry_exhausted');

    rmSync(flag);
    await project.runner.command(runId, { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'fixed the agent' });
    const done = await project.runner.drive(runId);
    expect(done.blocker).toBeNull();
    expect(done.status).toBe('handoff_ready');
    expect(attemptIds(project, runId)).toEqual(['alpha.a1', 'alpha.a2']);
    expect(markerLines(marker).map((l) => l.attemptId)).toEqual(['alpha.a1', 'alpha.a2']);
    expect(git(repo, 'show', `buran/${runId}:src/alpha.txt`)).toContain('alpha.a2');
    const events = await project.runner.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    await expectNoWorkerLeft(marker, runId);
  });

  it('worker_blocked: the completion says "blocked"', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: agent('blocked', { marker }) }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'worker_blocked');
    expect(result.blocker?.message).toContain('cannot proceed');
    expect(attemptIds(project, runId)).toEqual(['alpha.a1']);
    await expectNoWorkerLeft(marker, runId);
  });

  it('worker_timeout: a hung worker with a grandchild is ended, group and all (taskTimeoutSec 2, maxAttempts 1)', async () => {
    const repo = makeRepo();
    const pidfile = markerFile(repo, 'hang.pids');
    const { project, runId } = await approvedRun(packet({ command: agent('hang-grandchild', { pidfile }), limits: { taskTimeoutSec: 2, maxAttempts: 1 } }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'worker_timeout');
    const pids = readFileSync(pidfile, 'utf8').trim().split(' ').map(Number);
    expect(pids).toHaveLength(2);
    expect(await runProcessesGone(runId, 3_000)).toBe(true);
    expect(readJson(join(attemptsDir(project, runId), 'alpha.a1', 'kill.json'))).toMatchObject({ reason: 'wall' });
  });

  it('fix_exhausted: the worker never fixes the failing verification (maxFixRounds 1)', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const verify = ['node', '-e', "require('node:fs').readFileSync('src/alpha.txt', 'utf8').includes('fixed') || process.exit(1)"];
    const { project, runId } = await approvedRun(packet({ command: agent('ok', { marker }), verify: [verify], limits: { maxFixRounds: 1 } }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'fix_exhausted');
    expect(attemptIds(project, runId)).toEqual(['alpha.a1', 'alpha.a2']);
    const verifications = (await project.runner.events(runId)).filter((e) => e.taskId === 'alpha' && e.from === 'working.verifying' && e.data['event'] === 'xstate.done.actor.runTaskVerification');
    expect(verifications.map((e) => `${e.epoch ?? '?'}:${String(e.data['status'])}`)).toEqual(['1:FAIL', '2:FAIL']);
    await expectNoWorkerLeft(marker, runId);
  });

  it('policy_denied: the worker changes package.json (outside its scope, a verification definition)', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: agent('touch-package-json', { marker }) }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'policy_denied');
    expect(JSON.stringify(result.blocker?.details['policyViolations'])).toContain('package.json');
    expect(result.snapshot.context.allowedDecisions).not.toContain('retry');
    await expectNoWorkerLeft(marker, runId);
  });

  it('verification_blocked: the verification command is a missing executable', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: agent('ok', { marker }), verify: [['no-such-verifier-xyz']] }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'verification_blocked');
    expect(JSON.stringify(result.blocker?.details['findings'])).toContain('no-such-verifier-xyz');
    await expectNoWorkerLeft(marker, runId);
  });

  it('lease_lost: the run branch and worktree are deleted while a worker runs; a retry does not re-create the branch from the base', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: ['node', fixture('slow-agent.mjs'), marker, '2000'] }), { repo });
    const driving = project.runner.drive(runId);
    await waitFor('the worker to start', () => markerLines(marker).length >= 1, 20_000);
    const runBranch = `buran/${runId}`;
    const worktrees = git(repo, 'worktree', 'list', '--porcelain').split('\n\n');
    const runTree = worktrees.find((w) => w.includes(`branch refs/heads/${runBranch}\n`) || w.endsWith(`branch refs/heads/${runBranch}`));
    const path = runTree?.split('\n')[0]?.replace(/^worktree /, '');
    expect(path, 'the run worktree is listed').toBeDefined();
    git(repo, 'worktree', 'remove', '--force', path as string);
    git(repo, 'branch', '-D', runBranch);

    const result = await driving;
    expectBlocked(result, 'lease_lost');
    expect(result.blocker?.message).toContain(runBranch);
    await expectNoWorkerLeft(marker, runId);

    // Retrying must not quietly start over from the base: the merged work would be gone.
    await project.runner.command(runId, { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'try again' });
    const again = await project.runner.drive(runId);
    expect(again.status).toBe('blocked');
    expect(again.blocker?.message).toContain('was deleted after the run leased it');
    expect(git(repo, 'branch', '--list', runBranch)).toBe('');
  });

  it('completion_conflict: an ingested completion is rewritten while the run waits; the next driver blocks instead of trusting either', async () => {
    const repo = makeRepo();
    const p = packet({ tasks: ['alpha', { id: 'beta', dependsOn: ['alpha'] }], command: agent('beta-blocks') });
    const { project, runId } = await approvedRun(p, { repo });
    const first = await project.runner.drive(runId);
    expectBlocked(first, 'worker_blocked');
    // alpha passed and its completion was ingested; now someone rewrites it.
    const file = join(attemptsDir(project, runId), 'alpha.a1', 'out', 'completion.json');
    const original = readJson(file);
    writeFileSync(file, JSON.stringify({ ...original, summary: 'a different story after the fact' }));

    await project.runner.command(runId, { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'supplied the greeting' });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'completion_conflict');
    expect(result.blocker?.details['taskId']).toBe('alpha');
    const events = await project.runner.events(runId);
    // Observed while the task was held (the retry re-takes the run's scope first), the conflict blocks it when it is released.
    expect(events.some((e) => e.taskId === 'alpha' && e.to === 'blocked' && ['COMPLETION_OBSERVED', 'RELEASE'].includes(String(e.data['event'])))).toBe(true);

    // The operator's retry sticks: the same changed completion does not block the run again.
    await project.runner.command(runId, { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'the rewrite was mine; redo alpha' });
    const after = await project.runner.drive(runId);
    expect(after.blocker?.code).not.toBe('completion_conflict');
  });

  it('budget_exhausted: maxDispatches 1 with maxAttempts 2 and a first attempt that fails (no second dispatch)', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: agent('fail-first', { marker }), limits: { maxDispatches: 1, maxAttempts: 2 } }), { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'budget_exhausted');
    expect(attemptIds(project, runId)).toEqual(['alpha.a1']);
    expect(markerLines(marker)).toHaveLength(1);
    expect(result.snapshot.context.dispatches).toBe(1);
    await expectNoWorkerLeft(marker, runId);
  });

  it('budget_exhausted: a reported cost over limits.budgetUsd blocks the run and ends the other task\'s live worker (no further spend)', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const p = packet({ tasks: ['alpha', 'beta'], command: agent('spend', { marker, cost: 2.5 }), limits: { budgetUsd: 1, concurrency: 2 } });
    const { project, runId } = await approvedRun(p, { repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'budget_exhausted');
    expect(result.snapshot.context.usage.costUsd).toBe(2.5);
    // beta's worker was still hanging when alpha's cost arrived; blocking ended it rather than letting it spend on.
    const beta = markerLines(marker).find((l) => l.attemptId.startsWith('beta.'));
    expect(beta, 'beta was dispatched before the block').toBeDefined();
    await expectNoWorkerLeft(marker, runId);
  });

  it('budget_exhausted: the run wall-clock budget (limits.runTimeoutMin) has run out before anything was dispatched', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const packetFile = writePacket(repo, packet({ command: agent('ok', { marker }), limits: { runTimeoutMin: 1 } }));
    // Approved 61 s ago (the injected clock of the approving process), so the one-minute budget is spent.
    const approver = await openProject({ cwd: repo, clock: { now: () => Date.now() - 61_000 } });
    const { runId } = await approver.approve(packetFile, 'tester');
    const project = await openProject({ cwd: repo });
    const result = await project.runner.drive(runId);
    expectBlocked(result, 'budget_exhausted');
    expect(attemptIds(project, runId)).toEqual([]);
    expect(markerLines(marker)).toEqual([]);
  });

  // maxFixRounds 0 on purpose: with a fix round left, the round's dispatch re-merges the run branch into the
  // task branch, conflicts again and throws, so the run blocks with internal_error (an engine bug, see the report).
  /** A run whose run branch gains a conflicting src/alpha.txt (committed by hand) while its worker works. */
  async function conflictingRun(maxFixRounds: number) {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: ['node', fixture('slow-agent.mjs'), marker, '1500'], limits: { maxFixRounds } }), { repo });
    const driving = project.runner.drive(runId);
    await waitFor('the worker to start', () => markerLines(marker).length >= 1, 20_000);
    const runTree = join(project.storeDir, 'worktrees', runId, 'run');
    mkdirSync(join(runTree, 'src'), { recursive: true });
    writeFileSync(join(runTree, 'src', 'alpha.txt'), 'written by hand on the run branch\n');
    git(runTree, 'add', 'src/alpha.txt');
    git(runTree, 'commit', '-q', '-m', 'a hand-made change on the run branch');
    return { marker, runId, result: await driving };
  }

  it('integration_conflict: someone commits to the run branch while the task works, so its merge conflicts (maxFixRounds 0)', async () => {
    const { marker, runId, result } = await conflictingRun(0);
    expectBlocked(result, 'integration_conflict');
    expect(result.blocker?.message).toContain('src/alpha.txt');
    await expectNoWorkerLeft(marker, runId);
  });

  it('integration_conflict also when a fix round is allowed: the fix round cannot take the run branch, so it blocks with that code (not internal_error)', async () => {
    const { marker, runId, result } = await conflictingRun(1);
    expectBlocked(result, 'integration_conflict');
    expect(markerLines(marker)).toHaveLength(1); // the fix round spawned no worker into a conflicted workspace
    await expectNoWorkerLeft(marker, runId);
  });

  it('store_corrupt is not a blocker: an emptied snapshot makes drive() reject with that code, and nothing is reset', async () => {
    const { project, runId } = await approvedRun(packet({ command: agent('ok') }));
    const snapshot = join(project.store.runDir(runId), 'snapshot.json');
    writeFileSync(snapshot, '');
    await expect(project.runner.drive(runId)).rejects.toMatchObject({ code: 'store_corrupt', nextSafeAction: { text: expect.stringMatching(/\S/) as unknown } });
    expect(readFileSync(snapshot, 'utf8')).toBe('');
  });

  it('uses an always-passing verification by default (sanity check of the fixtures: a clean run reaches handoff)', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ tasks: ['alpha', { id: 'beta', dependsOn: ['alpha'] }], command: agent('ok', { marker }), verify: [VERIFY_OK] }), { repo });
    const result = await project.runner.drive(runId);
    expect(result.blocker).toBeNull();
    expect(result.status).toBe('handoff_ready');
    expect(markerLines(marker).map((l) => l.attemptId)).toEqual(['alpha.a1', 'beta.a1']);
    await expectNoWorkerLeft(marker, runId);
  });
});
