// A thrown BuranError keeps its blocker code through a chart's onError; anything
// else thrown is internal_error. Driven through the runner on scripted effects.
import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { BuranError } from '../../src/domain/errors.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import type { RunEffects } from '../../src/engine/effects.js';
import { blockCode } from '../../src/machines/logic.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const input: RunInput = {
  runId: 'r1',
  approvedHash: `sha256:${'a'.repeat(64)}`,
  tasks: [{ id: 'a', dependsOn: [], scope: ['src/a.txt'] }],
  limits: DEFAULT_LIMITS,
  deadlineAt: null,
};

async function blockedBy(thrown: Error, where: 'mergeTask' | 'runVerification') {
  const scripted = createScriptedEffects();
  const effects: RunEffects = { ...scripted, [where]: () => Promise.reject(thrown) };
  const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects });
  await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
  const view = await runner.drive('r1');
  return view;
}

describe('the code of a block that an effect threw', () => {
  it('a task effect that throws a BuranError with a blocker code blocks with that code and its decisions', async () => {
    const view = await blockedBy(new BuranError({ code: 'integration_conflict', message: 'task a: the run branch does not merge', details: { files: ['src/a.txt'] } }), 'mergeTask');
    expect(view.status).toBe('blocked');
    expect(view.blocker?.code).toBe('integration_conflict');
    expect(view.blocker?.message).toContain('does not merge');
  });

  it('a run effect that throws a BuranError with a blocker code blocks the run with that code', async () => {
    const view = await blockedBy(new BuranError({ code: 'sandbox_unavailable', message: 'bwrap cannot create a user namespace' }), 'runVerification');
    expect(view.status).toBe('blocked');
    expect(view.blocker?.code).toBe('sandbox_unavailable');
    expect(view.nextSafeAction?.command).toContain('unblock');
  });

  it('anything else thrown stays internal_error, and so does a BuranError whose code is not a blocker', async () => {
    expect((await blockedBy(new Error('disk on fire'), 'mergeTask')).blocker?.code).toBe('internal_error');
    expect((await blockedBy(new BuranError({ code: 'invalid_input', message: 'bad' }), 'runVerification')).blocker?.code).toBe('internal_error');
  });

  it('only an onError block is rewritten: a block the chart names on purpose keeps its code', () => {
    const error = new BuranError({ code: 'lease_lost', message: 'gone' });
    expect(blockCode('fix_exhausted', { type: 'xstate.error.actor.mergeTask', error } as { type: string })).toBe('fix_exhausted');
    expect(blockCode('internal_error', { type: 'xstate.done.actor.mergeTask', error } as { type: string })).toBe('internal_error');
    expect(blockCode('internal_error', { type: 'xstate.error.actor.mergeTask', error } as { type: string })).toBe('lease_lost');
  });
});
