import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import type { EventRecord } from '../../src/domain/events.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { createMemoryInbox } from '../../src/engine/inbox.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects, type Script } from '../../src/engine/scriptedEffects.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const input = (runId: string): RunInput => ({
  runId,
  approvedHash: 'sha256:' + 'a'.repeat(64),
  tasks: [
    { id: 'api', dependsOn: [], scope: ['src/api'] },
    { id: 'ui', dependsOn: ['api'], scope: ['src/ui'] },
  ],
  limits: DEFAULT_LIMITS,
});

async function setup(script: Script = {}) {
  const store = createMemoryStore();
  const effects = createScriptedEffects(script);
  let clock = 1_700_000_000_000;
  const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => effects, clock: { now: () => (clock += 1000) } });
  await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input: input('r1') });
  return { store, effects, runner };
}

describe('createRunner', () => {
  it('drives a two-task run to handoff and records every transition with gap-free seq', async () => {
    const { runner, effects } = await setup();
    const result = await runner.drive('r1');
    expect(result.status).toBe('handoff_ready');
    expect(result.stage).toBe('readyForReview');
    const events = await runner.events('r1');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((e) => e.taskId === 'ui' && e.to === 'working.passed')).toBe(true);
    // ui starts only after api merged
    const apiMerged = events.findIndex((e) => e.taskId === 'api' && e.to === 'working.passed');
    const uiDispatched = events.findIndex((e) => e.taskId === 'ui' && e.to === 'working.dispatching');
    expect(apiMerged).toBeGreaterThan(-1);
    expect(uiDispatched).toBeGreaterThan(apiMerged);
    expect(effects.calls.filter((c) => c.effect === 'dispatchWorker')).toHaveLength(2);
  });

  it('goes through a failed integration verification, a fix round, and on to handoff with both epochs recorded', async () => {
    const { runner } = await setup({ integrationVerification: (i) => (i.epoch === 1 ? 'FAIL' : 'PASS') });
    const result = await runner.drive('r1');
    expect(result.status).toBe('handoff_ready');
    expect(result.snapshot.context.epoch).toBe(2);
    expect(result.snapshot.context.gates.map((g) => `${g.gate}@${g.epoch}:${g.status}`)).toEqual(['verification@1:FAIL', 'verification@2:PASS', 'review@2:PASS']);
  });

  it('stops blocked with a structured blocker and the next safe action, and resumes only through an allowed decision', async () => {
    let failing = true;
    const { runner } = await setup({ worker: (i) => (failing ? { kind: 'missing', reason: 'supervisor died' } : { kind: 'completion', status: 'completed', digest: `d-${i.attempt.attemptId}`, summary: 'ok', changedFiles: [], usage: null }) });
    const blocked = await runner.drive('r1');
    expect(blocked.status).toBe('blocked');
    expect(blocked.blocker?.code).toBe('completion_missing');
    expect(blocked.nextSafeAction.command).toBe('buran unblock --run r1 --decision retry');
    failing = false;
    await runner.command('r1', { type: 'UNBLOCK', decision: 'retry', by: 'ana', reason: 'fixed the worker' });
    const done = await runner.drive('r1');
    expect(done.status).toBe('handoff_ready');
    expect(done.snapshot.context.decisions.map((d) => d.decision)).toEqual(['retry']);
  });

  it('a task verification that blocked and passed on retry at the same epoch counts as passed (the latest verdict of the epoch)', async () => {
    let blocked = true;
    const { runner } = await setup({ taskVerification: () => (blocked ? 'BLOCKED' : 'PASS') });
    expect((await runner.drive('r1')).blocker?.code).toBe('verification_blocked');
    blocked = false;
    await runner.command('r1', { type: 'UNBLOCK', decision: 'retry', by: 'ana', reason: 'installed the tool' });
    const done = await runner.drive('r1');
    expect(done.status).toBe('handoff_ready');
  });

  it('refuses an operator decision the blocker does not allow', async () => {
    const { runner } = await setup({ taskVerification: () => 'BLOCKED' });
    expect((await runner.drive('r1')).blocker?.code).toBe('verification_blocked');
    await expect(runner.command('r1', { type: 'RESUME', by: 'ana', reason: '' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('single-steps: each drive with step records at least one transition and the run continues from the persisted snapshot', async () => {
    const { runner } = await setup();
    let last = await runner.drive('r1', { step: true });
    let guard = 0;
    while (last.status !== 'handoff_ready' && guard++ < 200) last = await runner.drive('r1', { step: true });
    expect(last.status).toBe('handoff_ready');
    const events = await runner.events('r1');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('pauses and resumes across invocations, and a paused run is not driven', async () => {
    const { runner } = await setup();
    await runner.drive('r1', { step: true });
    const paused = await runner.command('r1', { type: 'PAUSE', by: 'ana', reason: 'lunch' });
    expect('queued' in paused ? 'queued' : paused.status).toBe('paused');
    expect((await runner.drive('r1')).status).toBe('paused');
    await runner.command('r1', { type: 'RESUME', by: 'ana', reason: 'back' });
    expect((await runner.drive('r1')).status).toBe('handoff_ready');
  });

  it('records the same log as an uninterrupted run when a snapshot write was lost after its events were appended', async () => {
    const identity = (e: EventRecord) => JSON.stringify([e.type, e.from, e.to, e.taskId ?? null, e.attemptId ?? null, e.epoch ?? null]);
    const uninterrupted = await setup();
    await uninterrupted.runner.drive('r1');
    const expected = (await uninterrupted.runner.events('r1')).map(identity);

    const crashed = await setup();
    for (let i = 0; i < 3; i++) await crashed.runner.drive('r1', { step: true });
    const before = crashed.store.hooks.raw('r1', 'snapshot');
    await crashed.runner.drive('r1', { step: true });
    await crashed.runner.drive('r1', { step: true });
    // The crash: both later snapshot writes are lost; their events stay in the log.
    crashed.store.hooks.setRaw('r1', 'snapshot', before);
    const final = await crashed.runner.drive('r1');
    expect(final.status).toBe('handoff_ready');
    const events = await crashed.runner.events('r1');
    expect(events.map(identity)).toEqual(expected);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // Effects were re-invoked for the lost steps (idempotent by input), but each attempt was dispatched with one id only.
    const attemptIds = crashed.effects.calls.filter((c) => c.effect === 'dispatchWorker').map((c) => (c.input as { attempt: { attemptId: string } }).attempt.attemptId);
    expect(new Set(attemptIds)).toEqual(new Set(['api.a1', 'ui.a1']));
  });

  it('delivers an operator command to the process that is driving the run, through the inbox', async () => {
    const store = createMemoryStore();
    const inbox = createMemoryInbox();
    const runner = createRunner({ store, locks: createMemoryLocks(), inbox, inboxPollMs: 10, effectsFor: () => createScriptedEffects({ worker: () => new Promise(() => undefined) }) });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input: input('r1') });
    const driving = runner.drive('r1');
    await new Promise((r) => setTimeout(r, 50));
    const queued = await runner.command('r1', { type: 'PAUSE', by: 'ana', reason: 'stop for now' });
    expect(queued).toMatchObject({ queued: true });
    const result = await driving;
    expect(result.status).toBe('paused');
    expect(result.snapshot.context.decisions.map((d) => `${d.decision}:${d.by}`)).toEqual(['pause:ana']);
  });

  it('blocks with budget_exhausted once the run wall-clock deadline has passed, before dispatching anything', async () => {
    const store = createMemoryStore();
    const effects = createScriptedEffects();
    const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => effects, clock: { now: () => 2_000_000 } });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input: { ...input('r1'), deadlineAt: 1_000_000 } });
    const result = await runner.drive('r1');
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('budget_exhausted');
    expect(effects.calls.filter((c) => c.effect === 'dispatchWorker')).toHaveLength(0);
  });

  it('moves a torn final event line aside, records it, and continues with the good prefix', async () => {
    const { runner, store } = await setup();
    await runner.drive('r1', { step: true });
    const raw = store.hooks.raw('r1', 'events');
    store.hooks.setRaw('r1', 'events', Buffer.concat([Buffer.from(raw ?? new Uint8Array()), Buffer.from('{"seq": 99, "ts": "2026-11-2')]));
    // Observers do not repair: they see the good prefix only.
    expect((await runner.events('r1')).every((e) => e.seq < 99)).toBe(true);
    const result = await runner.drive('r1');
    expect(result.status).toBe('handoff_ready');
    const events = await runner.events('r1');
    expect(events.some((e) => e.type === 'torn_log')).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('refuses a second driver of the same run', async () => {
    const { runner } = await setup({ worker: () => new Promise(() => undefined) });
    const first = runner.drive('r1');
    await new Promise((r) => setTimeout(r, 20));
    await expect(runner.drive('r1')).rejects.toMatchObject({ code: 'run_locked' });
    void first;
  });

  it('fails closed with store_corrupt when the snapshot is missing', async () => {
    const { runner, store } = await setup();
    store.hooks.setRaw('r1', 'snapshot', null);
    await expect(runner.drive('r1')).rejects.toMatchObject({ code: 'store_corrupt' });
  });
});
