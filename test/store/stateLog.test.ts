// The state log on disk: a crash mid-append leaves a torn final line that
// readers leave out and the next append cuts off; a bad line before the last
// is corruption; a full disk (ENOSPC) is store_unwritable and loses nothing
// that was appended.
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crashPointsFrom } from '../../src/chaos/crashPoints.js';
import { createFileStore, initStore } from '../../src/store/index.js';
import { parseStateLog } from '../../src/store/stateLog.js';
import { rejection } from './storeContract.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'buran-statelog-'));
  await initStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('state log', () => {
  it('leaves a torn final line out, and the next append cuts it off before writing', async () => {
    const store = createFileStore({ root });
    await store.createRun('r1', { runId: 'r1' });
    await store.appendStateLine('r1', 0, { seq: 1 });
    const file = join(store.runDir('r1'), 'snapshot.0.jsonl');
    await appendFile(file, '{"seq":2,"root":{"val');
    expect(await store.readStateLines('r1', 0)).toEqual([{ seq: 1 }]);
    await createFileStore({ root }).appendStateLine('r1', 0, { seq: 2 });
    expect(await readFile(file, 'utf8')).toBe('{"seq":1}\n{"seq":2}\n');
  });

  it('a bad line before the last is store_corrupt naming the line; nothing is changed', async () => {
    const store = createFileStore({ root });
    await store.createRun('r1', { runId: 'r1' });
    const file = join(store.runDir('r1'), 'snapshot.0.jsonl');
    await writeFile(file, '{"seq":1}\nnot json\n{"seq":3}\n');
    const error = await rejection(store.readStateLines('r1', 0), 'store_corrupt');
    expect(error.details).toMatchObject({ reason: 'bad_line', line: 2 });
    await rejection(createFileStore({ root }).appendStateLine('r1', 0, { seq: 4 }), 'store_corrupt');
    expect(await readFile(file, 'utf8')).toBe('{"seq":1}\nnot json\n{"seq":3}\n');
  });

  it('the first line on a new base removes the files of older bases', async () => {
    const store = createFileStore({ root });
    await store.createRun('r1', { runId: 'r1' });
    await store.appendStateLine('r1', 0, { seq: 1 });
    await store.appendStateLine('r1', 7, { seq: 8 });
    expect((await readdir(store.runDir('r1'))).filter((n) => n.startsWith('snapshot.'))).toEqual(['snapshot.7.jsonl']);
  });

  it('ENOSPC mid-line is store_unwritable; the lines before it stay and the torn half is cut off by the next append', async () => {
    const failing = createFileStore({ root, crash: crashPointsFrom({ BURAN_FAULT_AT: 'snapshot.mid-write:2' }) });
    await failing.createRun('r1', { runId: 'r1' });
    await failing.appendStateLine('r1', 0, { seq: 1 });
    const error = await rejection(failing.appendStateLine('r1', 0, { seq: 2, pad: 'x'.repeat(100) }), 'store_unwritable');
    expect(error.details).toMatchObject({ errno: 'ENOSPC' });
    expect(await failing.readStateLines('r1', 0)).toEqual([{ seq: 1 }]);
    await failing.appendStateLine('r1', 0, { seq: 2 });
    expect(await createFileStore({ root }).readStateLines('r1', 0)).toEqual([{ seq: 1 }, { seq: 2 }]);
  });

  it('parses only complete lines (pure)', () => {
    const bytes = Buffer.from('{"a":1}\n{"b":2}\n{"c"');
    expect(parseStateLog(bytes, 'x')).toEqual({ lines: [{ a: 1 }, { b: 2 }], goodBytes: 16 });
  });
});
