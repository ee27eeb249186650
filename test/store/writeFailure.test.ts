// A write the environment refuses (a full disk) is store_unwritable, and what was durable stands.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crashPointsFrom } from '../../src/chaos/crashPoints.js';
import { createFileStore } from '../../src/store/fileStore.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function storeWithFault(point: string) {
  const root = mkdtempSync(join(tmpdir(), 'buran-enospc-'));
  roots.push(root);
  return createFileStore({ root, crash: crashPointsFrom({ BURAN_FAULT_AT: point }) });
}

describe('write failures (ENOSPC injected)', () => {
  it('a snapshot write that fails is store_unwritable naming the file, and the previous snapshot is intact (regression: it surfaced as an internal error)', async () => {
    const store = storeWithFault('snapshot.mid-write:2');
    await store.createRun('r1', { runId: 'r1' });
    await store.writeSnapshot('r1', { n: 1 });
    await expect(store.writeSnapshot('r1', { n: 2 })).rejects.toMatchObject({ code: 'store_unwritable', details: { errno: 'ENOSPC', path: join(store.runDir('r1'), 'snapshot.json') } });
    expect(await store.readSnapshot('r1')).toEqual({ n: 1 });
  });

  it('an events append cut by a full disk is store_unwritable; its complete lines count as appended, the cut one is a torn tail the next append moves aside', async () => {
    const store = storeWithFault('events.mid-append:2');
    await store.createRun('r1', { runId: 'r1' });
    await store.appendEvents('r1', [{ seq: 1, type: 'a' }]);
    await expect(store.appendEvents('r1', [{ seq: 2, type: 'b' }, { seq: 3, type: 'c' }])).rejects.toMatchObject({ code: 'store_unwritable', details: { errno: 'ENOSPC' } });
    await store.appendEvents('r1', [{ seq: 3, type: 'c2' }]);
    const read = await store.readEventLog('r1');
    expect(read.events.map((e) => (e as { type: string }).type)).toEqual(['a', 'b', 'c2']);
    expect(read.torn).toBeNull();
  });
});
