// A driver whose events append fails (disk full) must not write a snapshot that claims those events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { crashPointsFrom } from '../../src/chaos/crashPoints.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { createFileStore } from '../../src/store/fileStore.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const input: RunInput = { runId: 'r1', approvedHash: 'sha256:' + 'a'.repeat(64), tasks: [{ id: 'api', dependsOn: [], scope: ['src/api'] }], limits: DEFAULT_LIMITS };

describe('a failed events append', () => {
  it('stops the driver with store_unwritable and leaves a snapshot the log still covers; the next driver finishes the run (regression: a later flush wrote a snapshot past the log)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'buran-append-'));
    roots.push(root);
    const failing = createRunner({ store: createFileStore({ root, crash: crashPointsFrom({ BURAN_FAULT_AT: 'events.mid-append:3' }) }), locks: createMemoryLocks(), effectsFor: () => createScriptedEffects({}) });
    await failing.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    await expect(failing.drive('r1')).rejects.toMatchObject({ code: 'store_unwritable' });
    const next = createRunner({ store: createFileStore({ root }), locks: createMemoryLocks(), effectsFor: () => createScriptedEffects({}) });
    expect((await next.inspect('r1')).status).not.toBe('handoff_ready');
    expect((await next.drive('r1')).status).toBe('handoff_ready');
    const events = await next.events('r1');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('ends the session\'s writes: no append and no state write is tried after the failed one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'buran-append-'));
    roots.push(root);
    const store = createFileStore({ root, crash: crashPointsFrom({ BURAN_FAULT_AT: 'events.mid-append:2' }) });
    const calls: string[] = [];
    const counted = {
      ...store,
      appendEvents: async (id: string, records: readonly unknown[]) => {
        calls.push('events');
        await store.appendEvents(id, records);
      },
      appendStateLine: async (id: string, base: number, line: unknown) => {
        calls.push('state');
        await store.appendStateLine(id, base, line);
      },
    };
    const failing = createRunner({ store: counted, locks: createMemoryLocks(), effectsFor: () => createScriptedEffects({}) });
    await failing.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    await expect(failing.drive('r1')).rejects.toMatchObject({ code: 'store_unwritable' });
    // The first flush wrote its events and state; the second failed mid-append; nothing after it.
    expect(calls).toEqual(['events', 'state', 'events']);
  });
});
