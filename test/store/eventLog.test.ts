import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBuranError } from '../../src/domain/errors.js';
import { EventLog, parseEventLog } from '../../src/store/index.js';
import { rejection } from './storeContract.js';

const line = (seq: number): string => `${JSON.stringify({ seq, type: 'transition' })}\n`;
const lines = (count: number): string => Array.from({ length: count }, (_, i) => line(i + 1)).join('');
/** An event the size of a real one (~330 bytes). */
const realistic = (seq: number) => ({
  seq,
  ts: '2025-01-01T00:00:00.000Z',
  runId: 'r-1',
  type: 'task_transition',
  from: 'active.implementing.dispatching',
  to: 'active.implementing.awaiting',
  taskId: 'task-a',
  attemptId: 'att-0001',
  epoch: 1,
  data: { event: 'xstate.done.actor.dispatch', status: 'ok', summary: 'worker spawned with pid 12345' },
});

function corruptLine(bytes: string): unknown {
  try {
    return parseEventLog(Buffer.from(bytes), 'events.jsonl');
  } catch (error) {
    return isBuranError(error) ? { code: error.code, ...error.details } : error;
  }
}


describe('parseEventLog', () => {
  it('reads an empty log as no events', () => {
    expect(parseEventLog(Buffer.alloc(0), 'p')).toEqual({ events: [], lastSeq: 0, goodBytes: 0, torn: null });
  });

  it('reports a final line without a newline as torn, even when it parses', () => {
    const text = `${lines(2)}{"seq":3}`;
    expect(parseEventLog(Buffer.from(text), 'p')).toMatchObject({ lastSeq: 2, goodBytes: lines(2).length, torn: { line: 3, bytes: 9, reason: 'no_newline' } });
  });

  it('reports an unparsable final line as torn and any earlier bad line as store_corrupt with its number', () => {
    expect(parseEventLog(Buffer.from(`${lines(1)}{"seq":\n`), 'p').torn).toEqual({ line: 2, bytes: 8, reason: 'unparsable' });
    expect(corruptLine(`${lines(1)}\n${line(2)}`)).toMatchObject({ code: 'store_corrupt', reason: 'bad_line', line: 2, path: 'events.jsonl' });
    expect(corruptLine(`${line(1)}[1,2]\n${line(3)}`)).toMatchObject({ code: 'store_corrupt', reason: 'bad_line', line: 2 });
    expect(corruptLine(`${line(1)}\0\0\0\n${line(3)}`)).toMatchObject({ code: 'store_corrupt', reason: 'bad_line', line: 2 });
    expect(corruptLine(`${line(2)}`)).toMatchObject({ code: 'store_corrupt', reason: 'bad_seq', line: 1, seq: 2 });
    expect(corruptLine(`{"type":"x"}\n`)).toMatchObject({ code: 'store_corrupt', reason: 'bad_seq', line: 1, seq: null });
  });

  it('rejects invalid UTF-8 in a middle line', () => {
    const bytes = Buffer.concat([Buffer.from(line(1)), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from(line(3))]);
    expect(() => parseEventLog(bytes, 'p')).toThrowError(expect.objectContaining({ code: 'store_corrupt' }) as Error);
  });
});

describe('EventLog', () => {
  let dir = '';
  let path = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'buran-events-'));
    path = join(dir, 'events.jsonl');
    await writeFile(path, '');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const openLog = (now = 1000): EventLog => new EventLog(path, { runId: 'r-1', now: () => now });

  it('moves the torn tail into events.jsonl.torn-<ms> and keeps the good prefix in place', async () => {
    await writeFile(path, `${lines(3)}{"seq":4,"ty`);
    const read = await openLog(1234).read();
    expect(read.events).toHaveLength(3);
    expect(read.torn).toEqual({ line: 4, bytes: 12, reason: 'no_newline', movedTo: `${path}.torn-1234` });
    expect(await readFile(path, 'utf8')).toBe(lines(3));
    expect(await readFile(`${path}.torn-1234`, 'utf8')).toBe('{"seq":4,"ty');
  });

  it('does not overwrite an earlier torn file with the same timestamp (a crash between copy and truncate)', async () => {
    await writeFile(path, `${lines(1)}{"seq":2`);
    await writeFile(`${path}.torn-5`, '{"seq":2');
    const read = await openLog(5).read();
    expect(read.torn?.movedTo).toBe(`${path}.torn-5-1`);
    expect((await readdir(dir)).filter((name) => name.includes('.torn-')).sort()).toEqual(['events.jsonl.torn-5', 'events.jsonl.torn-5-1']);
  });

  it('leaves the file untouched when told not to repair', async () => {
    await writeFile(path, `${lines(1)}{"seq":2`);
    const read = await openLog().read({ repair: false });
    expect(read.torn).toMatchObject({ line: 2, movedTo: null });
    expect(await readFile(path, 'utf8')).toBe(`${lines(1)}{"seq":2`);
  });

  it('serialises concurrent appends from one process in call order', async () => {
    const log = openLog();
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append([{ seq: i + 1 }])));
    expect((await openLog().read()).lastSeq).toBe(50);
  });

  // Read and append speed are measured by `npm run bench` (store section), not asserted here: machines are shared and noisy.
  it('reads back 10k realistic events, in order, with the last seq', async () => {
    const log = openLog();
    for (let batch = 0; batch < 100; batch += 1) await log.append(Array.from({ length: 100 }, (_, i) => realistic(batch * 100 + i + 1)));
    const read = await openLog().read();
    expect(read.events).toHaveLength(10_000);
    expect(read.lastSeq).toBe(10_000);
    expect(read.events.map((e) => (e as { seq: number }).seq)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
  });

  it('reports a missing log as store_corrupt and never creates it on append', async () => {
    await rm(path);
    await rejection(openLog().append([{ seq: 1 }]), 'store_corrupt');
    await rejection(openLog().read(), 'store_corrupt');
    expect(await readdir(dir)).toEqual([]);
  });
});
