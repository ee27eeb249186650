// The operator's extra writable folders, for the runner (sandbox.writable)
// and for a worker agent (buran worker --writable): real paths, missing ones
// skipped, and never one that overlaps a folder confined processes must not write.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writableFolders } from '../../src/sandbox/index.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'buran-writable-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writable folders', () => {
  it('gives real paths and skips a folder that does not exist', async () => {
    const cache = join(root, 'cache');
    mkdirSync(cache);
    symlinkSync(cache, join(root, 'cache-link'));
    expect(await writableFolders([join(root, 'cache-link'), join(root, 'missing')], [join(root, 'agent')], 'buran worker --writable')).toEqual([cache]);
  });

  it("refuses a folder inside or around a guarded one (an agent's --dir), naming the setting", async () => {
    const agent = join(root, 'agent');
    mkdirSync(join(agent, 'clones'), { recursive: true });
    await expect(writableFolders([join(agent, 'clones')], [agent], 'buran worker --writable')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^buran worker --writable: .*clones overlaps/) as unknown });
    await expect(writableFolders([root], [agent], 'sandbox.writable')).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
