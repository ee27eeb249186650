import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/index.js';
import { describeStoreContract } from './storeContract.js';

describeStoreContract('memory store', () => {
  let tick = 1_700_000_000_000;
  const store = createMemoryStore({ clock: { now: () => (tick += 1) } });
  return Promise.resolve({
    store,
    setRaw: (runId, file, bytes) => Promise.resolve(store.hooks.setRaw(runId, file, bytes)),
    raw: (runId, file) => Promise.resolve(store.hooks.raw(runId, file)),
    tornFiles: (runId) => Promise.resolve(store.hooks.tornFiles(runId)),
    cleanup: () => Promise.resolve(),
  });
});

describe('createMemoryStore', () => {
  it('points runDir at a folder named after the run, without creating anything', () => {
    const store = createMemoryStore({ runDirRoot: '/tmp/buran-twin/runs' });
    expect(store.runDir('r-1')).toBe('/tmp/buran-twin/runs/r-1');
    expect(createMemoryStore().runDir('r-1')).toMatch(/buran-memory-[0-9a-f]+\/runs\/r-1$/);
  });
});
