// The run index kept by the driver: derived from the stored snapshot by one
// function, written after the snapshot only when it says something new, and
// caught up by the next session when a crash left it behind.
import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { runIndexFields } from '../../src/engine/runIndex.js';
import { createScriptedEffects, type Script } from '../../src/engine/scriptedEffects.js';
import type { RunIndexFields } from '../../src/store/port.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const input: RunInput = {
  runId: 'r1',
  approvedHash: `sha256:${'a'.repeat(64)}`,
  tasks: [
    { id: 'api', dependsOn: [], scope: ['src/api'] },
    { id: 'ui', dependsOn: ['api'], scope: ['src/ui'] },
  ],
  limits: DEFAULT_LIMITS,
};

async function setup(script: Script = {}) {
  const store = createMemoryStore();
  const writes: RunIndexFields[] = [];
  const counted = { ...store, indexRun: async (runId: string, fields: RunIndexFields) => { writes.push(fields); await store.indexRun(runId, fields); } };
  let clock = 1_700_000_000_000;
  const runner = createRunner({ store: counted, locks: createMemoryLocks(), effectsFor: () => createScriptedEffects(script), clock: { now: () => (clock += 1000) } });
  await runner.createRun({ runId: 'r1', record: { runId: 'r1', packetId: 'pkt' }, input });
  const entry = async () => (await store.listRuns()).find((r) => r.runId === 'r1');
  return { store, runner, writes, entry };
}

describe('runIndexFields', () => {
  it('reads status, stage, epoch and the blocker code from a stored snapshot', () => {
    const blocked = { snapshot: { value: 'blocked', context: { epoch: 2, blocker: { code: 'fix_exhausted' } } } };
    expect(runIndexFields(blocked, 'bwrap', 't')).toEqual({ status: 'blocked', stage: 'blocked', epoch: 2, blockerCode: 'fix_exhausted', sandbox: 'bwrap', updatedAt: 't' });
    const running = { snapshot: { value: { active: 'implementing' }, context: { epoch: 1, blocker: { code: 'fix_exhausted' } } } };
    expect(runIndexFields(running, null, 't')).toMatchObject({ status: 'running', stage: 'active.implementing', epoch: 1, blockerCode: null });
  });
});

describe('the run index kept by the driver', () => {
  it('indexes a new run as queued, and a driven run as handed off with its epoch', async () => {
    const { runner, entry } = await setup();
    expect(await entry()).toMatchObject({ packetId: 'pkt', status: 'queued', stage: 'active.intake', epoch: 1, blockerCode: null });
    const result = await runner.drive('r1');
    expect(await entry()).toMatchObject({ status: result.status, stage: result.stage, epoch: 1, blockerCode: null });
  });

  it('writes the entry only when it changes, not at every flush', async () => {
    const { runner, writes } = await setup();
    await runner.drive('r1');
    const stages = writes.map((w) => w.stage);
    expect(new Set(stages).size).toBe(stages.length);
    expect(stages.at(-1)).toBe('readyForReview');
  });

  it('carries the blocker code of a blocked run', async () => {
    const { runner, entry } = await setup({ worker: () => ({ kind: 'missing', reason: 'supervisor died' }) });
    const blocked = await runner.drive('r1');
    expect(await entry()).toMatchObject({ status: 'blocked', stage: 'blocked', blockerCode: blocked.blocker?.code });
  });

  it('an entry left behind (a crash after the snapshot write) is caught up by the next session, which writes nothing else', async () => {
    const { store, runner, entry } = await setup();
    await runner.drive('r1');
    const done = await entry();
    await store.indexRun('r1', { status: 'running', stage: 'active.implementing', epoch: 1, blockerCode: null, sandbox: null, updatedAt: 'stale' });
    const eventsBefore = (await runner.events('r1')).length;
    await runner.drive('r1');
    expect(await entry()).toMatchObject({ status: done?.status, stage: done?.stage, epoch: done?.epoch });
    expect((await entry())?.updatedAt).not.toBe('stale');
    expect((await runner.events('r1')).length).toBe(eventsBefore);
  });
});
