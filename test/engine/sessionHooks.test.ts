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
    expect('queued' in result ? null : result.hookFailures).toEqual([]);
  });
});
