// A drive that ends while effects are in flight (one step) stops every task
// child and its invoked effects: nothing keeps running after drive() returns.
import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import type { RunEffects } from '../../src/engine/effects.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const input: RunInput = {
  runId: 'r1',
  approvedHash: `sha256:${'a'.repeat(64)}`,
  tasks: ['a', 'b', 'c'].map((id) => ({ id, dependsOn: [], scope: [`src/${id}.txt`] })),
  limits: { ...DEFAULT_LIMITS, concurrency: 3 },
  deadlineAt: null,
};

describe('ending a drive session', () => {
  it('stops every task child: each awaiting worker watch is aborted and no effect is called afterwards', async () => {
    const scripted = createScriptedEffects();
    const aborted: string[] = [];
    const awaiting: string[] = [];
    const effects: RunEffects = {
      ...scripted,
      awaitCompletion: (waiting, signal) => {
        awaiting.push(waiting.attempt.attemptId);
        signal.addEventListener('abort', () => aborted.push(waiting.attempt.attemptId));
        return new Promise(() => undefined);
      },
    };
    const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    let steps = 0;
    while (awaiting.length < 3 && steps++ < 100) await runner.drive('r1', { step: true });
    expect(awaiting.length).toBeGreaterThanOrEqual(3);
    // Every watch the last session started was aborted when it ended.
    const lastSession = awaiting.slice(-3);
    expect(aborted).toEqual(expect.arrayContaining(lastSession));
    const callsAfter = scripted.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(scripted.calls.length).toBe(callsAfter);
  });
});

describe('a drive stopped by its caller (an AbortSignal)', () => {
  it('returns the run as it stands, everything recorded, workers left alone and the lock released', async () => {
    const scripted = createScriptedEffects();
    const awaiting: string[] = [];
    const aborted: string[] = [];
    const effects: RunEffects = {
      ...scripted,
      awaitCompletion: (waiting, signal) => {
        awaiting.push(waiting.attempt.attemptId);
        signal.addEventListener('abort', () => aborted.push(waiting.attempt.attemptId));
        return new Promise(() => undefined);
      },
    };
    const store = createMemoryStore();
    const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => effects });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    const controller = new AbortController();
    const driving = runner.drive('r1', { signal: controller.signal });
    const deadline = Date.now() + 5_000;
    while (awaiting.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(awaiting).toHaveLength(3);
    controller.abort();
    const result = await driving;
    expect(result.status).toBe('running');
    expect(aborted).toEqual(expect.arrayContaining(awaiting));
    // Nothing was killed: the scripted port saw no cancel of a worker.
    expect(scripted.calls.filter((c) => c.effect === 'cancelWorkers')).toEqual([]);
    // What the result says is what the store holds, the three attempts' transitions included.
    expect((await runner.inspect('r1')).lastSeq).toBe(result.lastSeq);
    const logged = JSON.stringify(await runner.events('r1'));
    for (const attemptId of awaiting) expect(logged).toContain(attemptId);
    // The lock is free: the next drive starts at once and records no takeover.
    const again = new AbortController();
    again.abort();
    const next = await runner.drive('r1', { signal: again.signal });
    expect(next.takeover).toBeNull();
    expect((await runner.events('r1')).filter((e) => e.type === 'lock_takeover')).toEqual([]);
  });
});
