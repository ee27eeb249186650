// The RunStore contract, written once and run against the file store and the
// in-memory twin (fileStore.test.ts, memoryStore.test.ts).
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BuranError, isBuranError } from '../../src/domain/errors.js';
import type { RunStore } from '../../src/store/index.js';

export type RunFile = 'record' | 'snapshot' | 'events';

/** A store plus raw access to its files, to play the crash or the bad disk. */
export interface StoreHarness {
  readonly store: RunStore;
  setRaw(runId: string, file: RunFile, bytes: string | Uint8Array | null): Promise<void>;
  raw(runId: string, file: RunFile): Promise<Uint8Array | null>;
  tornFiles(runId: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** Await a rejection and check it is a BuranError with this code. */
export async function rejection(promise: Promise<unknown>, code: string): Promise<BuranError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection, got a result'),
    (e: unknown) => e,
  );
  if (!isBuranError(error)) throw error instanceof Error ? error : new Error(String(error));
  expect(error.code).toBe(code);
  return error;
}

export const event = (seq: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ seq, type: 'transition', ...extra });
export const events = (from: number, count: number): Record<string, unknown>[] => Array.from({ length: count }, (_, i) => event(from + i));

const record = { schema: 'buran.run/v1', runId: 'r-1', packetId: 'pkt-1', createdAt: '2025-01-01T00:00:00.000Z' };
const BAD_IDS = ['../x', 'a/b', '', '-a', 'A', 'a b', 'a;rm -rf x', '$(touch x)', '`x`', '.', '..', 'x'.repeat(65), 'a\0b', 'ä', 'a\nb', 'a_b'];
const CORRUPTIONS: ReadonlyArray<[string, string | Uint8Array, string]> = [
  ['empty', '', 'empty'],
  ['NUL-filled', new Uint8Array(64), 'nul_filled'],
  ['truncated JSON', '{"schema":"buran.sn', 'invalid_json'],
  ['whitespace only', '  \n', 'empty'],
];

export function describeStoreContract(name: string, make: () => Promise<StoreHarness>): void {
  describe(`RunStore contract: ${name}`, () => {
    let h: StoreHarness;
    let store: RunStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('creates a run and reads its record back', async () => {
      await store.createRun('r-1', record);
      expect(await store.readRecord('r-1')).toEqual(record);
      expect(await store.readEvents('r-1')).toEqual([]);
      expect(await store.readSnapshot('r-1')).toBeNull();
    });

    it('refuses to create a run that already exists, and exactly one of two racing creates wins', async () => {
      await store.createRun('r-1', record);
      await rejection(store.createRun('r-1', { other: true }), 'invalid_input');
      expect(await store.readRecord('r-1')).toEqual(record);
      const results = await Promise.allSettled([store.createRun('r-2', { n: 1 }), store.createRun('r-2', { n: 2 })]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await store.listRuns()).toHaveLength(2);
    });

    it('answers not_found for every operation on an unknown run', async () => {
      await rejection(store.readRecord('nope'), 'not_found');
      await rejection(store.writeRecord('nope', {}), 'not_found');
      await rejection(store.readSnapshot('nope'), 'not_found');
      await rejection(store.writeSnapshot('nope', {}), 'not_found');
      await rejection(store.appendEvents('nope', [event(1)]), 'not_found');
      await rejection(store.readEvents('nope'), 'not_found');
      await rejection(store.putArtifact('nope', 'x'), 'not_found');
      await rejection(store.getArtifact('nope', `sha256:${'0'.repeat(64)}`), 'not_found');
      await rejection(store.updateIndex({ runId: 'nope', packetId: 'p', createdAt: 'a', status: 's', stage: null, epoch: null, blockerCode: null, sandbox: null, updatedAt: 'b' }), 'not_found');
      await rejection(store.indexRun('nope', { status: 's', stage: null, epoch: null, blockerCode: null, sandbox: null, updatedAt: 'b' }), 'not_found');
    });

    it('rejects run ids that are not slugs before they can become paths', async () => {
      for (const id of BAD_IDS) {
        expect(() => store.runDir(id), id).toThrowError(expect.objectContaining({ code: 'invalid_input' }) as Error);
        await rejection(store.createRun(id, record), 'invalid_input');
        await rejection(store.readRecord(id), 'invalid_input');
        await rejection(store.writeSnapshot(id, {}), 'invalid_input');
        await rejection(store.appendEvents(id, [event(1)]), 'invalid_input');
        await rejection(store.putArtifact(id, 'x'), 'invalid_input');
      }
      expect(await store.listRuns()).toEqual([]);
    });

    it('indexes a new run with its packet id and status, and updateIndex changes the status', async () => {
      await store.createRun('r-1', record);
      await store.createRun('r-2', { no: 'packet id' }, { packetId: 'pkt-2', status: 'queued' });
      const [first, second] = await store.listRuns();
      expect(first).toMatchObject({ runId: 'r-1', packetId: 'pkt-1', status: 'created' });
      expect(second).toMatchObject({ runId: 'r-2', packetId: 'pkt-2', status: 'queued' });
      if (first === undefined) throw new Error('missing entry');
      await store.updateIndex({ ...first, status: 'running', updatedAt: '2030-01-01T00:00:00.000Z' });
      expect((await store.listRuns())[0]).toEqual({ ...first, status: 'running', updatedAt: '2030-01-01T00:00:00.000Z' });
    });

    it('indexRun replaces the state fields of an entry and keeps its id, packet and creation time', async () => {
      await store.createRun('r-1', record);
      const [created] = await store.listRuns();
      expect(created).toMatchObject({ status: 'created', stage: null, epoch: null, blockerCode: null, sandbox: null });
      const fields = { status: 'blocked', stage: 'blocked', epoch: 2, blockerCode: 'fix_exhausted', sandbox: 'bwrap', updatedAt: '2030-01-01T00:00:00.000Z' };
      await store.indexRun('r-1', fields);
      expect(await store.listRuns()).toEqual([{ runId: 'r-1', packetId: 'pkt-1', createdAt: created?.createdAt, ...fields }]);
    });

    it('replaces the record atomically and keeps no reference to the caller\'s object', async () => {
      const mine = { ...record, note: 'v1' };
      await store.createRun('r-1', mine);
      mine.note = 'changed after write';
      expect(await store.readRecord('r-1')).toMatchObject({ note: 'v1' });
      await store.writeRecord('r-1', { ...record, note: 'v2' });
      expect(await store.readRecord('r-1')).toMatchObject({ note: 'v2' });
      await rejection(store.writeRecord('r-1', undefined), 'invalid_input');
      expect(await store.readRecord('r-1')).toMatchObject({ note: 'v2' });
    });

    it('round-trips the snapshot and reads null only while none was ever written', async () => {
      await store.createRun('r-1', record);
      expect(await store.readSnapshot('r-1')).toBeNull();
      await store.writeSnapshot('r-1', { seq: 0, snapshot: { value: 'queued' } });
      await store.writeSnapshot('r-1', { seq: 3, snapshot: { value: 'running' } });
      expect(await store.readSnapshot('r-1')).toEqual({ seq: 3, snapshot: { value: 'running' } });
    });

    it('keeps state lines per base in order; the first line on a new base ends the lines of older bases; no lines read as none', async () => {
      await store.createRun('r-1', record);
      expect(await store.readStateLines('r-1', 0)).toEqual([]);
      await store.appendStateLine('r-1', 0, { seq: 1 });
      await store.appendStateLine('r-1', 0, { seq: 2 });
      expect(await store.readStateLines('r-1', 0)).toEqual([{ seq: 1 }, { seq: 2 }]);
      await store.appendStateLine('r-1', 2, { seq: 3 });
      expect(await store.readStateLines('r-1', 2)).toEqual([{ seq: 3 }]);
      expect(await store.readStateLines('r-1', 0)).toEqual([]);
      await rejection(store.appendStateLine('nope', 0, {}), 'not_found');
    });

    it('reports a deleted snapshot that was written as store_corrupt, never as null', async () => {
      await store.createRun('r-1', record);
      await store.writeSnapshot('r-1', { seq: 1 });
      await h.setRaw('r-1', 'snapshot', null);
      const error = await rejection(store.readSnapshot('r-1'), 'store_corrupt');
      expect(error.details).toMatchObject({ reason: 'missing' });
      expect(String(error.details['path'])).toMatch(/snapshot\.json$/);
      expect(error.nextSafeAction?.text).toMatch(/backup|aside/);
    });

    it('reports a missing record as store_corrupt with its path', async () => {
      await store.createRun('r-1', record);
      await h.setRaw('r-1', 'record', null);
      const error = await rejection(store.readRecord('r-1'), 'store_corrupt');
      expect(error.details).toMatchObject({ reason: 'missing' });
      expect(String(error.details['path'])).toMatch(/run\.json$/);
    });

    for (const [label, bytes, reason] of CORRUPTIONS) {
      it(`reports a ${label} snapshot or record as store_corrupt (${reason}) and leaves the file as it was`, async () => {
        await store.createRun('r-1', record);
        await store.writeSnapshot('r-1', { seq: 1 });
        for (const [file, read] of [['snapshot', () => store.readSnapshot('r-1')], ['record', () => store.readRecord('r-1')]] as const) {
          await h.setRaw('r-1', file, bytes);
          const error = await rejection(read(), 'store_corrupt');
          expect(error.details).toMatchObject({ reason });
          expect(String(error.details['path'])).toMatch(file === 'record' ? /run\.json$/ : /snapshot\.json$/);
          expect(error.nextSafeAction).not.toBeNull();
          expect(await h.raw('r-1', file)).toEqual(new Uint8Array(typeof bytes === 'string' ? Buffer.from(bytes) : bytes));
        }
      });
    }

    it('appends events and reads them back in seq order, from any seq', async () => {
      await store.createRun('r-1', record);
      await store.appendEvents('r-1', events(1, 3));
      await store.appendEvents('r-1', []);
      await store.appendEvents('r-1', [event(4, { data: { text: 'line\nbreak "quoted" ✓' } })]);
      expect(await store.readEvents('r-1')).toEqual([...events(1, 3), event(4, { data: { text: 'line\nbreak "quoted" ✓' } })]);
      expect((await store.readEvents('r-1', 3)).map((e) => (e as { seq: number }).seq)).toEqual([3, 4]);
      expect(await store.readEvents('r-1', 9)).toEqual([]);
      expect((await store.readEventLog('r-1')).lastSeq).toBe(4);
    });

    it('rejects a batch whose seq does not continue the log, and writes none of it', async () => {
      await store.createRun('r-1', record);
      await store.appendEvents('r-1', events(1, 2));
      const error = await rejection(store.appendEvents('r-1', [event(3), event(5)]), 'invalid_input');
      expect(error.details).toMatchObject({ index: 1, expected: 4, got: 5 });
      await rejection(store.appendEvents('r-1', [event(2)]), 'invalid_input');
      await rejection(store.appendEvents('r-1', ['not an object']), 'invalid_input');
      await rejection(store.appendEvents('r-1', [{ seq: 3, big: 1n }]), 'invalid_input');
      expect(await store.readEvents('r-1')).toEqual(events(1, 2));
    });

    it('moves a torn final line aside, keeps the good prefix, and appends after it', async () => {
      await store.createRun('r-1', record);
      await store.appendEvents('r-1', events(1, 2));
      const good = await h.raw('r-1', 'events');
      if (good === null) throw new Error('no log');
      await h.setRaw('r-1', 'events', Buffer.concat([good, Buffer.from('{"seq":3,"type":"tra')]));
      const observed = await store.readEventLog('r-1', { repair: false });
      expect(observed.torn).toMatchObject({ line: 3, reason: 'no_newline', movedTo: null });
      expect(await h.tornFiles('r-1')).toEqual([]);
      const read = await store.readEventLog('r-1');
      expect(read.events).toEqual(events(1, 2));
      expect(read.torn).toMatchObject({ line: 3, bytes: 20, reason: 'no_newline' });
      expect(read.torn?.movedTo).toMatch(/events\.jsonl\.torn-\d+$/);
      expect(await h.tornFiles('r-1')).toHaveLength(1);
      expect(await h.raw('r-1', 'events')).toEqual(new Uint8Array(good));
      await store.appendEvents('r-1', [event(3)]);
      expect(await store.readEventLog('r-1')).toEqual({ events: events(1, 3), lastSeq: 3, torn: null });
    });

    it('treats an unparsable final line (with its newline) as torn, and a torn tail found by append is moved aside first', async () => {
      await store.createRun('r-1', record);
      await store.appendEvents('r-1', events(1, 1));
      const good = await h.raw('r-1', 'events');
      if (good === null) throw new Error('no log');
      await h.setRaw('r-1', 'events', Buffer.concat([good, Buffer.from('\0\0\0\0\n')]));
      expect((await store.readEventLog('r-1', { repair: false })).torn).toMatchObject({ line: 2, reason: 'unparsable' });
      await h.setRaw('r-1', 'events', Buffer.concat([good, Buffer.from('{"seq":2')]));
      await store.appendEvents('r-1', [event(2)]);
      expect(await store.readEvents('r-1')).toEqual(events(1, 2));
      expect(await h.tornFiles('r-1')).toHaveLength(1);
    });

    it('reports a corrupt middle line as store_corrupt with its line number, and changes nothing', async () => {
      await store.createRun('r-1', record);
      const bad = `${JSON.stringify(event(1))}\n{"seq":2,oops}\n${JSON.stringify(event(3))}\n`;
      await h.setRaw('r-1', 'events', bad);
      const error = await rejection(store.readEvents('r-1'), 'store_corrupt');
      expect(error.details).toMatchObject({ reason: 'bad_line', line: 2 });
      expect(String(error.details['path'])).toMatch(/events\.jsonl$/);
      await rejection(store.appendEvents('r-1', [event(4)]), 'store_corrupt');
      expect(Buffer.from((await h.raw('r-1', 'events')) ?? []).toString()).toBe(bad);
    });

    it('reports a log whose seq skips or repeats as store_corrupt at that line', async () => {
      await store.createRun('r-1', record);
      await h.setRaw('r-1', 'events', [event(1), event(2), event(2)].map((e) => `${JSON.stringify(e)}\n`).join(''));
      const error = await rejection(store.readEvents('r-1'), 'store_corrupt');
      expect(error.details).toMatchObject({ reason: 'bad_seq', line: 3, seq: 2 });
    });

    it('reports a deleted events log as store_corrupt', async () => {
      await store.createRun('r-1', record);
      await h.setRaw('r-1', 'events', null);
      await rejection(store.readEvents('r-1'), 'store_corrupt');
      await rejection(store.appendEvents('r-1', [event(1)]), 'store_corrupt');
    });

    it('appends 10k events and reads them back in order', async () => {
      await store.createRun('r-1', record);
      for (let batch = 0; batch < 100; batch += 1) await store.appendEvents('r-1', events(batch * 100 + 1, 100));
      const read = await store.readEvents('r-1');
      expect(read).toHaveLength(10_000);
      expect(read.every((e, i) => (e as { seq: number }).seq === i + 1)).toBe(true);
    });

    it('stores artifacts by content hash, idempotently', async () => {
      await store.createRun('r-1', record);
      const hex = createHash('sha256').update('hello ✓').digest('hex');
      const first = await store.putArtifact('r-1', 'hello ✓');
      expect(first).toBe(`sha256:${hex}`);
      expect(await store.putArtifact('r-1', new Uint8Array(Buffer.from('hello ✓')))).toBe(first);
      expect(await store.putArtifact('r-1', 'hello ✓')).toBe(first);
      expect(Buffer.from(await store.getArtifact('r-1', first)).toString('utf8')).toBe('hello ✓');
      const binary = new Uint8Array([0, 255, 1, 254]);
      expect(await store.getArtifact('r-1', await store.putArtifact('r-1', binary))).toEqual(binary);
      await rejection(store.getArtifact('r-1', `sha256:${'a'.repeat(64)}`), 'not_found');
      for (const bad of ['sha256:../../run.json', hex, `sha1:${hex}`, `sha256:${hex.toUpperCase()}`]) await rejection(store.getArtifact('r-1', bad), 'invalid_input');
    });
  });
}
