// Where a real run's time went, read from a hand-made event log and worker stamps.
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../src/domain/events.js';
import { runPhases, taskTimes, type WorkerStamp } from '../../../scripts/bench/runPhases.js';
import type { Instance } from '../../../scripts/bench/schedule.js';

const T = Date.parse('2026-01-01T00:00:00.000Z');
let seq = 0;

/** A task transition `to` at T + `ms`. */
function step(taskId: string, to: string, ms: number): EventRecord {
  seq += 1;
  return { seq, ts: new Date(T + ms).toISOString(), runId: 'r', type: 'task_transition', from: null, to, taskId, attemptId: `${taskId}.a1`, data: {} };
}

function task(id: string, [granted, verifying, reviewing, merging, passed]: readonly number[]): EventRecord[] {
  return [
    step(id, 'working.dispatching', granted ?? NaN),
    step(id, 'working.awaiting', (granted ?? NaN) + 100),
    step(id, 'working.verifying', verifying ?? NaN),
    step(id, 'working.reviewing', reviewing ?? NaN),
    step(id, 'working.merging', merging ?? NaN),
    step(id, 'working.passed', passed ?? NaN),
  ];
}

// a (2 s) then b (1 s, depends on a), 2 slots; the run spawned at T and exited at T + 6.3 s.
const inst: Instance = {
  dag: [
    { id: 'a', dependsOn: [], scope: ['src/a.txt'] },
    { id: 'b', dependsOn: ['a'], scope: ['src/b.txt'] },
  ],
  durations: new Map([
    ['a', 2000],
    ['b', 1000],
  ]),
  concurrency: 2,
};
const events = [...task('a', [1000, 3400, 3600, 3700, 3900]), ...task('b', [3900, 5250, 5400, 5500, 5800])];
const stamps: WorkerStamp[] = [
  { task: 'a', attempt: 'a.a1', start: T + 1300 },
  { task: 'a', attempt: 'a.a1', end: T + 3300 },
  { task: 'b', attempt: 'b.a1', start: T + 4200 },
  { task: 'b', attempt: 'b.a1', end: T + 5200 },
];

describe('run phases', () => {
  const times = taskTimes(['a', 'b'], events, stamps);
  const phases = runPhases(inst, times, T, T + 6300);

  it('reads each task step from its transitions and the worker stamps', () => {
    expect(times[0]).toEqual({ id: 'a', grantedAt: T + 1000, workerStartAt: T + 1300, workerEndAt: T + 3300, completedAt: T + 3400, verifiedAt: T + 3600, reviewedAt: T + 3700, passedAt: T + 3900, attempts: 1 });
  });

  it('splits the run into the start, the per-task steps and the end', () => {
    expect(phases.startupMs).toBe(1000);
    expect(phases.tailMs).toBe(500);
    expect([phases.spawn.median, phases.spawn.max]).toEqual([300, 300]);
    expect(phases.detect.max).toBe(100);
    expect(phases.verify.max).toBe(200);
    expect(phases.review.max).toBe(100);
    expect(phases.merge.max).toBe(300);
  });

  it('per-task overhead is the slot time minus the task duration', () => {
    // a: 3900 − 1000 − 2000; b: 5800 − 3900 − 1000.
    expect([phases.overhead.n, phases.overhead.max, phases.overhead.mean]).toEqual([2, 900, 900]);
  });

  it('measures dispatch lag from the latest pass, skipping the first wave', () => {
    expect(phases.dispatchLag.n).toBe(1);
    expect(phases.dispatchLag.max).toBe(0);
    const late = runPhases(inst, taskTimes(['a', 'b'], [...task('a', [1000, 3400, 3600, 3700, 3900]), ...task('b', [4150, 5250, 5400, 5500, 5800])], stamps), T, T + 6300);
    expect(late.dispatchLag.max).toBe(250);
  });

  it('the critical-path schedule on the measured slot times, plus start and end, reproduces a run that dispatched at once', () => {
    // 1000 + (2900 + 1900) + 500.
    expect(phases.listOnMeasuredMs).toBe(6300);
  });

  it('is NaN, not a guess, when a task never passed', () => {
    const unfinished = runPhases(inst, taskTimes(['a', 'b'], task('a', [1000, 3400, 3600, 3700, 3900]), stamps), T, T + 6300);
    expect(unfinished.listOnMeasuredMs).toBeNaN();
  });
});
