import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStore, initStore } from '../../src/store/index.js';
import { type RunFile, type StoreHarness, describeStoreContract, event, rejection } from './storeContract.js';

const FILES: Record<RunFile, string> = { record: 'run.json', snapshot: 'snapshot.json', events: 'events.jsonl' };

async function makeFileHarness(): Promise<StoreHarness> {
  const root = await mkdtemp(join(tmpdir(), 'buran-store-'));
  let tick = 1_700_000_000_000;
  const store = createFileStore({ root, clock: { now: () => (tick += 1) } });
  const pathOf = (runId: string, file: RunFile): string => join(store.runDir(runId), FILES[file]);
  return {
    store,
    async setRaw(runId, file, bytes) {
      if (bytes === null) await rm(pathOf(runId, file));
      else await writeFile(pathOf(runId, file), bytes);
    },
    async raw(runId, file) {
      try {
        return new Uint8Array(await readFile(pathOf(runId, file)));
      } catch {
        return null;
      }
    },
    async tornFiles(runId) {
      return (await readdir(store.runDir(runId))).filter((name) => name.startsWith('events.jsonl.torn-')).sort();
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

describeStoreContract('file store', makeFileHarness);

describe('createFileStore', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'buran-store-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lays a run out under .buran/runs/<runId>/ with an ignored store folder', async () => {
    const store = createFileStore({ root });
    await store.createRun('r-1', { packetId: 'p' });
    expect(store.runDir('r-1')).toBe(join(root, '.buran', 'runs', 'r-1'));
    expect((await readdir(store.runDir('r-1'))).sort()).toEqual(['artifacts', 'attempts', 'events.jsonl', 'run.json']);
    expect(await readFile(join(root, '.buran', '.gitignore'), 'utf8')).toBe('*\n');
    expect(JSON.parse(await readFile(join(root, '.buran', 'runs.json'), 'utf8'))).toMatchObject({ schema: 'buran.registry/v1', runs: { 'r-1': { packetId: 'p' } } });
    await store.putArtifact('r-1', 'x');
    expect(await readdir(join(store.runDir('r-1'), 'artifacts'))).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
  });

  it('initialises idempotently and leaves other files in the store folder alone', async () => {
    await mkdir(join(root, '.buran'));
    await writeFile(join(root, '.buran', 'config.json'), '{}');
    expect((await initStore(root)).created).toBe(true);
    expect((await initStore(root)).created).toBe(false);
    expect(await readFile(join(root, '.buran', 'config.json'), 'utf8')).toBe('{}');
  });

  it('reports a registry deleted after runs were recorded as store_corrupt instead of starting empty', async () => {
    const store = createFileStore({ root });
    await store.createRun('r-1', {});
    await rm(join(root, '.buran', 'runs.json'));
    const error = await rejection(createFileStore({ root }).listRuns(), 'store_corrupt');
    expect(error.details).toMatchObject({ path: join(root, '.buran', 'runs.json'), reason: 'missing' });
    await rejection(initStore(root), 'store_corrupt');
    await expect(stat(join(root, '.buran', 'runs.json'))).rejects.toThrow();
  });

  it('reports a registry of the wrong shape or truncated as store_corrupt', async () => {
    const store = createFileStore({ root });
    await store.createRun('r-1', {});
    await writeFile(join(root, '.buran', 'runs.json'), '{"schema":"buran.registry/v1","runs":[]}');
    expect((await rejection(store.listRuns(), 'store_corrupt')).details).toMatchObject({ reason: 'bad_shape' });
    await writeFile(join(root, '.buran', 'runs.json'), '{"schema":"buran.reg');
    expect((await rejection(store.listRuns(), 'store_corrupt')).details).toMatchObject({ reason: 'invalid_json' });
  });

  it('reads an index written before entries kept a stage as not derived yet, and leaves the file as it is', async () => {
    const store = createFileStore({ root });
    await store.createRun('r-1', { packetId: 'pkt' });
    const path = join(root, '.buran', 'runs.json');
    const older = { runId: 'r-1', packetId: 'pkt', createdAt: '2026-01-01T00:00:00.000Z', status: 'created', updatedAt: '2026-01-01T00:00:00.000Z' };
    const text = JSON.stringify({ schema: 'buran.registry/v1', runs: { 'r-1': older }, snapshots: {} });
    await writeFile(path, text);
    expect(await store.listRuns()).toEqual([{ ...older, stage: null, epoch: null, blockerCode: null, sandbox: null }]);
    expect(await readFile(path, 'utf8')).toBe(text);
    await store.indexRun('r-1', { status: 'queued', stage: 'active.intake', epoch: 1, blockerCode: null, sandbox: null, updatedAt: '2026-01-02T00:00:00.000Z' });
    expect(await store.listRuns()).toEqual([{ ...older, status: 'queued', stage: 'active.intake', epoch: 1, blockerCode: null, sandbox: null, updatedAt: '2026-01-02T00:00:00.000Z' }]);
  });

  it('a run folder without its index entry is store_corrupt when the driver indexes it, never re-created', async () => {
    const store = createFileStore({ root });
    await store.createRun('r-1', { packetId: 'pkt' });
    await writeFile(join(root, '.buran', 'runs.json'), JSON.stringify({ schema: 'buran.registry/v1', runs: {}, snapshots: {} }));
    await rejection(store.indexRun('r-1', { status: 'queued', stage: 'active.intake', epoch: 1, blockerCode: null, sandbox: null, updatedAt: 't' }), 'store_corrupt');
    expect(await store.listRuns()).toEqual([]);
  });

  it('reads past leftover temp files from a crashed write', async () => {
    const store = createFileStore({ root });
    await store.createRun('r-1', { v: 1 });
    await store.writeSnapshot('r-1', { seq: 1 });
    await writeFile(join(store.runDir('r-1'), `.snapshot.json.${process.pid}.deadbeef0000.tmp`), '{"seq": 99, "half');
    await writeFile(join(store.runDir('r-1'), '.run.json.1.abc.tmp'), '');
    await writeFile(join(root, '.buran', 'runs', '.r-2.1.abc.tmp'), '');
    expect(await store.readSnapshot('r-1')).toEqual({ seq: 1 });
    expect(await store.readRecord('r-1')).toEqual({ v: 1 });
    expect((await store.listRuns()).map((r) => r.runId)).toEqual(['r-1']);
    await store.writeSnapshot('r-1', { seq: 2 });
    expect(await store.readSnapshot('r-1')).toEqual({ seq: 2 });
  });

  it('keeps the snapshot marker across store instances (a later process still knows a snapshot was written)', async () => {
    await createFileStore({ root }).createRun('r-1', {});
    await createFileStore({ root }).writeSnapshot('r-1', { seq: 1 });
    await rm(join(root, '.buran', 'runs', 'r-1', 'snapshot.json'));
    await rejection(createFileStore({ root }).readSnapshot('r-1'), 'store_corrupt');
  });

  it('reports an artifact whose bytes changed on disk as evidence_tampered naming the file (the one code for a record changed outside buran)', async () => {
    const store = createFileStore({ root });
    await store.createRun('r-1', {});
    const hash = await store.putArtifact('r-1', 'original');
    await writeFile(join(store.runDir('r-1'), 'artifacts', hash.slice(7)), 'tampered');
    expect((await rejection(store.getArtifact('r-1', hash), 'evidence_tampered')).details).toMatchObject({ runId: 'r-1', file: `artifacts/${hash.slice(7)}` });
    await rejection(store.putArtifact('r-1', 'original'), 'evidence_tampered');
  });

  it('never rewrites the events log on append: the file only grows and keeps its inode', async () => {
    const store = createFileStore({ root });
    await store.createRun('r-1', {});
    const path = join(store.runDir('r-1'), 'events.jsonl');
    const before = await stat(path);
    await store.appendEvents('r-1', [event(1)]);
    await store.appendEvents('r-1', [event(2)]);
    const after = await stat(path);
    expect(after.ino).toBe(before.ino);
    expect(after.size).toBe(`${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}\n`.length);
  });

  it('notices another writer appended behind its back and re-checks the log before appending', async () => {
    const a = createFileStore({ root });
    const b = createFileStore({ root });
    await a.createRun('r-1', {});
    await a.appendEvents('r-1', [event(1)]);
    await b.appendEvents('r-1', [event(2)]);
    await rejection(a.appendEvents('r-1', [event(2)]), 'invalid_input');
    await a.appendEvents('r-1', [event(3)]);
    expect((await a.readEvents('r-1')).length).toBe(3);
  });

  it('loses no registry entry when 4 processes create runs at once', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/createRuns.ts', import.meta.url));
    const run = promisify(execFile);
    await Promise.all([0, 1, 2, 3].map((n) => run(process.execPath, ['--import', 'tsx', fixture, root, `p${n}`, '5'])));
    const runs = await createFileStore({ root }).listRuns();
    expect(runs).toHaveLength(20);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(20);
  });
});
