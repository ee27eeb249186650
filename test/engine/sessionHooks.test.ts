// A final-state hook that fails (a cancel of queued attempts Redis did not
// confirm) is recorded as a `hook_failed` event with its code and details, and
// handed to the caller of the command: the run is cancelled, the workers' end
// is not claimed.
import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { BuranError } from '../../src/domain/errors.js';
import type { RunEffects } from '../../src/engine/effects.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { unconfirmedHooks } from '../../src/engine/unconfirmedHooks.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const input: RunInput = {
  runId: 'r1',
  approvedHash: `sha256:${'a'.repeat(64)}`,
  tasks: [{ id: 'a', dependsOn: [], scope: ['src/a.txt'] }],
  limits: DEFAULT_LIMITS,
  deadlineAt: null,
};

describe('a final-state hook that fails', () => {
  it('is a hook_failed event with its code, details and next action, and the command result names it', async () => {
    const unconfirmed = new BuranError({ code: 'queue_unavailable', message: 'the queue did not confirm the cancel of 1 queued attempt(s) (a.a1)', details: { unconfirmed: ['a.a1'] }, nextSafeAction: { text: 'treat a.a1 as running', command: null } });
    const effects: RunEffects = { ...createScriptedEffects(), cancelWorkers: () => Promise.reject(unconfirmed) };
    const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    const result = await runner.command('r1', { type: 'CANCEL', by: 'ops', reason: 'stop' });
    if ('queued' in result) throw new Error('queued');
    expect(result.status).toBe('cancelled');
    expect(result.hookFailures).toEqual([{ hook: 'cancelWorkers', code: 'queue_unavailable', message: unconfirmed.message, details: { unconfirmed: ['a.a1'] }, nextSafeAction: { text: 'treat a.a1 as running', command: null } }]);
    const failed = (await runner.events('r1')).filter((e) => e.type === 'hook_failed');
    expect(failed.map((e) => e.data)).toEqual([{ hook: 'cancelWorkers', error: unconfirmed.message, code: 'queue_unavailable', details: { unconfirmed: ['a.a1'] }, nextSafeAction: { text: 'treat a.a1 as running', command: null } }]);
  });

  it('a hook that succeeds leaves no failure', async () => {
    const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => createScriptedEffects() });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    const result = await runner.command('r1', { type: 'CANCEL', by: 'ops', reason: 'stop' });
    expect('queued' in result ? null : [result.hookFailures, result.hooksConfirmed]).toEqual([[], []]);
  });

  it('a cancel repeated on the cancelled run asks the unconfirmed hook again: hook_confirmed when it succeeds, hook_failed again when not', async () => {
    const unconfirmed = new BuranError({ code: 'queue_unavailable', message: 'the queue did not confirm the cancel of 1 queued attempt(s) (a.a1)', details: { unconfirmed: ['a.a1'] }, nextSafeAction: { text: 'treat a.a1 as running', command: null } });
    const answers: ('fail' | 'ok')[] = ['fail', 'fail', 'ok'];
    const asked: string[] = [];
    const effects: RunEffects = {
      ...createScriptedEffects(),
      cancelWorkers: (runId) => {
        asked.push(runId);
        return answers.shift() === 'ok' ? Promise.resolve() : Promise.reject(unconfirmed);
      },
    };
    const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    await runner.command('r1', { type: 'CANCEL', by: 'ops', reason: 'stop' });
    expect(unconfirmedHooks(await runner.events('r1')).map((h) => h.hook)).toEqual(['cancelWorkers']);

    // Redis still away: the same failure again, recorded with who asked; still one unconfirmed hook (the latest).
    const again = await runner.command('r1', { type: 'CANCEL', by: 'ops', reason: 'again' });
    if ('queued' in again) throw new Error('queued');
    expect([again.status, again.hookFailures.map((f) => f.code), again.hooksConfirmed]).toEqual(['cancelled', ['queue_unavailable'], []]);
    const afterSecond = await runner.events('r1');
    expect(afterSecond.filter((e) => e.type === 'hook_failed').map((e) => [e.data['by'], e.data['reason']])).toEqual([[undefined, undefined], ['ops', 'again']]);
    expect(unconfirmedHooks(afterSecond)).toEqual([expect.objectContaining({ hook: 'cancelWorkers', at: afterSecond.at(-1)?.ts })]);

    // Redis back: confirmed, nothing left unconfirmed, and the run stays cancelled.
    const third = await runner.command('r1', { type: 'CANCEL', by: 'ops', reason: 'redis is back' });
    if ('queued' in third) throw new Error('queued');
    expect([third.status, third.hookFailures, third.hooksConfirmed]).toEqual(['cancelled', [], ['cancelWorkers']]);
    const events = await runner.events('r1');
    expect(events.at(-1)).toMatchObject({ type: 'hook_confirmed', data: { hook: 'cancelWorkers', by: 'ops', reason: 'redis is back' } });
    expect(unconfirmedHooks(events)).toEqual([]);
    expect(asked).toEqual(['r1', 'r1', 'r1']);

    // Nothing left to ask: a further cancel is refused as on any cancelled run, and asks nothing.
    await expect(runner.command('r1', { type: 'CANCEL', by: 'ops', reason: 'once more' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(asked).toHaveLength(3);
  });

  it('a cancel of a cancelled run whose hooks all succeeded is refused, as before', async () => {
    const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => createScriptedEffects() });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    await runner.command('r1', { type: 'CANCEL', by: 'ops', reason: 'stop' });
    await expect(runner.command('r1', { type: 'CANCEL', by: 'ops', reason: 'again' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
