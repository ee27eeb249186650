// runner.inspect(): what observers (status, report) see must fail closed like the driver does.
import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const input: RunInput = { runId: 'r1', approvedHash: 'sha256:' + 'a'.repeat(64), tasks: [{ id: 'api', dependsOn: [], scope: ['src/api'] }], limits: DEFAULT_LIMITS };

describe('runner.inspect', () => {
  it('refuses (store_corrupt) a log that ends before the snapshot\'s seq, instead of showing the snapshot (regression: status said handoff_ready over a truncated log)', async () => {
    const store = createMemoryStore();
    const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => createScriptedEffects({}) });
    await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    expect((await runner.drive('r1')).status).toBe('handoff_ready');
    expect((await runner.inspect('r1')).status).toBe('handoff_ready');
    const lines = Buffer.from(store.hooks.raw('r1', 'events') ?? new Uint8Array()).toString('utf8').split('\n').filter((l) => l !== '');
    store.hooks.setRaw('r1', 'events', `${lines.slice(0, -3).join('\n')}\n`);
    await expect(runner.inspect('r1')).rejects.toMatchObject({ code: 'store_corrupt', details: { what: 'events.jsonl' } });
    await expect(runner.drive('r1')).rejects.toMatchObject({ code: 'store_corrupt' });
  });
});
