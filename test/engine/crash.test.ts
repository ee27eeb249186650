// The runner SIGKILLed while workers run. Real processes throughout: a driver
// subprocess (`drive.ts`) running the real engine on a temp git repository,
// the command adapter starting fixture agents under detached supervisors, and
// a second driver (this test process) that must re-attach instead of
// dispatching again, take over the dead driver's lock, and leave nothing
// running behind it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type EventRecord, EventRecordSchema } from '../../src/domain/events.js';
import {
  agent,
  allGone,
  runProcesses,
  runProcessesGone,
  approvedRun,
  attemptIds,
  attemptsDir,
  cleanup,
  fixture,
  git,
  ingestions,
  isGone,
  killDriver,
  makeRepo,
  markerLines,
  packet,
  spawnDriver,
  waitFor,
  markerFile,
} from './fixtures/project.js';

afterAll(cleanup);

/** The supervisor pid recorded in an attempt's pid.json. */
function supervisorPid(dir: string, attemptId: string): number {
  return (JSON.parse(readFileSync(join(dir, attemptId, 'pid.json'), 'utf8')) as { supervisorPid: number }).supervisorPid;
}

/** The events a driver printed (each one only after it was durably appended); a line cut by the kill is dropped. */
function printedEvents(output: string): EventRecord[] {
  return output
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.startsWith('{"runId"'))
    .map((line) => EventRecordSchema.parse(JSON.parse(line)));
}

function expectGapFree(events: readonly EventRecord[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

describe('a runner killed mid-run', () => {
  it('is SIGKILLed while two workers run; the next driver re-attaches, ingests each completion once, and reaches handoff with no process left', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(
      packet({ tasks: ['alpha', 'beta'], command: ['node', fixture('slow-agent.mjs'), marker, '3000'], limits: { concurrency: 2 } }),
      { repo },
    );

    // Both tasks are independent (concurrency 2): kill the driver once both workers run.
    const driver = spawnDriver(repo, runId);
    const running = await waitFor('both workers to start', () => (markerLines(marker).length >= 2 ? markerLines(marker) : null), 20_000);
    await killDriver(driver);

    // The workers live on under their detached supervisors.
    expect(running.map((l) => l.attemptId).sort()).toEqual(['alpha.a1', 'beta.a1']);
    expect(running.length).toBeGreaterThan(0);
    // Workers outlive the runner (found by environment: inside a sandbox their marker pids are the namespace's).
    expect(runProcesses(runId).length).toBeGreaterThanOrEqual(running.length * 2);
    const dir = attemptsDir(project, runId);
    const supervisors = running.map((l) => supervisorPid(dir, l.attemptId));
    for (const pid of supervisors) expect(isGone(pid), `supervisor ${pid} should outlive the runner`).toBe(false);
    const beforeCrash = printedEvents(driver.stdout());
    expect(beforeCrash.length).toBeGreaterThan(0);

    const result = await project.runner.drive(runId);
    expect(result.blocker).toBeNull();
    expect(result.status).toBe('handoff_ready');
    expect(result.takeover).toMatchObject({ reason: 'dead', previous: { pid: driver.pid } });

    // Nothing done twice: one worker process per attempt, one attempt per task, each completion ingested once.
    const lines = markerLines(marker);
    expect(lines.map((l) => l.attemptId).sort()).toEqual(['alpha.a1', 'beta.a1']);
    expect(attemptIds(project, runId)).toEqual(['alpha.a1', 'beta.a1']);
    const events = await project.runner.events(runId);
    expectGapFree(events);
    expect(ingestions(events, 'alpha.a1')).toBe(1);
    expect(ingestions(events, 'beta.a1')).toBe(1);
    for (const id of ['alpha.a1', 'beta.a1']) expect(events.filter((e) => e.attemptId === id && e.to === 'working.dispatching')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'lock_takeover')).toHaveLength(1);
    // Nothing lost: every event the killed driver reported is in the log, unchanged.
    for (const printed of beforeCrash) expect(events[printed.seq - 1]).toEqual(printed);

    // The work of both pre-crash workers is on the handoff branch.
    expect(git(repo, 'show', `buran/${runId}:src/alpha.txt`)).toContain('alpha.a1');
    expect(git(repo, 'show', `buran/${runId}:src/beta.txt`)).toContain('beta.a1');

    // No orphan: the workers and their supervisors are gone.
    expect(await runProcessesGone(runId, 3_000)).toBe(true);
    expect(await allGone(supervisors, 3_000)).toBe(true);
  }, 60_000);

  it('refuses a second driver while the first runs (run_locked), and after the first is killed a new driver takes the lock over and records it', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: ['node', fixture('slow-agent.mjs'), marker, '2000'] }), { repo });

    const driver = spawnDriver(repo, runId);
    await waitFor('the worker to start', () => markerLines(marker).length >= 1, 20_000);

    await expect(project.runner.drive(runId)).rejects.toMatchObject({ code: 'run_locked', details: { holder: { pid: driver.pid } } });
    // The refused driver changed nothing: the first is still the only one driving.
    expect(driver.child.exitCode).toBeNull();

    await killDriver(driver);
    const result = await project.runner.drive(runId);
    expect(result.status).toBe('handoff_ready');
    const events = await project.runner.events(runId);
    expectGapFree(events);
    const takeovers = events.filter((e) => e.type === 'lock_takeover');
    expect(takeovers).toHaveLength(1);
    expect(takeovers[0]?.data).toMatchObject({ previous: { reason: 'dead', previous: { pid: driver.pid } } });
    // The takeover is recorded after everything the dead driver recorded, before anything the new one did.
    expect(printedEvents(driver.stdout()).every((e) => e.seq < (takeovers[0]?.seq ?? 0))).toBe(true);
    expect(events.slice((takeovers[0]?.seq ?? 0)).every((e) => e.type !== 'lock_takeover')).toBe(true);
    expect(markerLines(marker).map((l) => l.attemptId)).toEqual(['alpha.a1']);
    expect(ingestions(events, 'alpha.a1')).toBe(1);
    expect(await runProcessesGone(runId, 3_000)).toBe(true);
  }, 60_000);

  it('is SIGKILLed the moment the dispatch intent is on disk (before the supervisor claimed the attempt): still exactly one worker', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { project, runId } = await approvedRun(packet({ command: ['node', fixture('slow-agent.mjs'), marker, '500'] }), { repo });
    const intent = join(attemptsDir(project, runId), 'alpha.a1', 'intent.json');

    // The supervisor takes a few hundred ms to claim the folder, so the kill usually lands between
    // intent.json and pid.json: the next driver then takes the `recovered` path (spawn-recovered.jsonl)
    // and the exclusive pid.json claim must keep it to one worker even if the first supervisor still starts it.
    const driver = spawnDriver(repo, runId);
    await waitFor('the dispatch intent', () => existsSync(intent), 20_000, 2);
    await killDriver(driver);

    const result = await project.runner.drive(runId);
    expect(result.status).toBe('handoff_ready');
    expect(markerLines(marker).map((l) => l.attemptId)).toEqual(['alpha.a1']);
    expect(attemptIds(project, runId)).toEqual(['alpha.a1']);
    const events = await project.runner.events(runId);
    expectGapFree(events);
    expect(ingestions(events, 'alpha.a1')).toBe(1);
    expect(await runProcessesGone(runId, 3_000)).toBe(true);
  }, 60_000);

  it('times out a hung worker that forked a grandchild, even across a runner crash, and ends both (worker_timeout)', async () => {
    const repo = makeRepo();
    const pidfile = markerFile(repo, 'hang.pids');
    const { project, runId } = await approvedRun(packet({ command: agent('hang-grandchild', { pidfile }), limits: { taskTimeoutSec: 2, maxAttempts: 1 } }), { repo });

    const driver = spawnDriver(repo, runId);
    const [workerPid = 0, grandchildPid = 0] = await waitFor('the worker and its grandchild', () => {
      try {
        const pids = readFileSync(pidfile, 'utf8').trim().split(' ').map(Number);
        return pids.length === 2 ? pids : null;
      } catch {
        return null;
      }
    });
    await killDriver(driver);
    // Both outlive the driver (pids as the worker saw them: inside a sandbox they are its namespace's).
    expect(workerPid).toBeGreaterThan(0);
    expect(grandchildPid).toBeGreaterThan(0);
    expect(runProcesses(runId).length).toBeGreaterThanOrEqual(3);

    const result = await project.runner.drive(runId);
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('worker_timeout');
    expect(result.nextSafeAction.text).not.toBe('');
    const supervisor = supervisorPid(attemptsDir(project, runId), 'alpha.a1');
    expect(await runProcessesGone(runId, 3_000)).toBe(true);
    expect(await allGone([supervisor], 3_000)).toBe(true);
    const kill = JSON.parse(readFileSync(join(attemptsDir(project, runId), 'alpha.a1', 'kill.json'), 'utf8')) as { reason: string; by: string };
    expect(kill).toMatchObject({ reason: 'wall', by: 'runner' });
    expectGapFree(await project.runner.events(runId));
  }, 60_000);
});
