// A driver that lost its run lock (another process judged it dead and took
// over) stops at its next durable write without writing anything.
import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import type { RunLocks } from '../../src/engine/locks.js';
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

/** Locks whose holder loses the lock after `heldFor` checks, as if a takeover happened meanwhile. */
function losingLocks(heldFor: number): RunLocks & { checks: () => number } {
  let checks = 0;
  return {
    checks: () => checks,
    acquire: () =>
      Promise.resolve({
        takeover: null,
        isHeld: () => Promise.resolve(++checks <= heldFor),
        release: () => Promise.resolve(),
      }),
  };
}

describe('a driver that lost its run lock', () => {
  it('rejects with run_locked at the next flush and appends nothing more', async () => {
    const memory = createMemoryStore();
    const locks = losingLocks(2);
    // Each append notes how many lock checks had happened by then.
    const appendsAtCheck: number[] = [];
    const store: typeof memory = {
      ...memory,
      appendEvents: (runId, events) => {
        appendsAtCheck.push(locks.checks());
        return memory.appendEvents(runId, events);
      },
    };
    const runner = createRunner({ store, locks, effectsFor: () => createScriptedEffects() });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    await expect(runner.drive('r1')).rejects.toMatchObject({ code: 'run_locked' });
    const written = (await runner.events('r1')).length;
    expect(locks.checks()).toBeGreaterThan(2);
    expect(appendsAtCheck.length).toBeGreaterThan(0);
    expect(appendsAtCheck.every((n) => n <= 2)).toBe(true);
    // What was written before the loss stays; the run did not reach handoff on this driver's say-so.
    const view = await runner.inspect('r1');
    expect(view.status).not.toBe('handoff_ready');
    expect(view.lastSeq).toBe(written);
  });

  it('with the lock held throughout, the same run reaches handoff', async () => {
    const runner = createRunner({ store: createMemoryStore(), locks: losingLocks(Number.POSITIVE_INFINITY), effectsFor: () => createScriptedEffects() });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    expect((await runner.drive('r1')).status).toBe('handoff_ready');
  });
});
