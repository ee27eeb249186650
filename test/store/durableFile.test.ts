import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDurableJsonAdapter, parseJsonDocument, readJsonDocument, writeFileDurable } from '../../src/store/index.js';
import { rejection } from './storeContract.js';

describe('writeFileDurable', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'buran-durable-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a document and leaves no temp file behind', async () => {
    const path = join(dir, 'doc.json');
    await writeFileDurable(path, '{"a":1}\n');
    await writeFileDurable(path, '{"a":2}\n');
    expect(await readJsonDocument(path)).toEqual({ a: 2 });
    expect(await readdir(dir)).toEqual(['doc.json']);
  });

  it('survives many concurrent writers to one file: each uses its own temp name and the result is one whole write', async () => {
    const path = join(dir, 'doc.json');
    await Promise.all(Array.from({ length: 40 }, (_, i) => writeFileDurable(path, `${JSON.stringify({ writer: i, pad: 'x'.repeat(10_000) })}\n`)));
    expect(await readJsonDocument(path)).toMatchObject({ writer: expect.any(Number) as number });
    expect(await readdir(dir)).toEqual(['doc.json']);
  });

  it('creates exclusively when asked, and leaves an existing file as it was', async () => {
    const path = join(dir, 'once');
    await writeFileDurable(path, 'first', { exclusive: true });
    await expect(writeFileDurable(path, 'second', { exclusive: true })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['once']);
  });

  it('reads past a leftover temp file from a crashed write', async () => {
    const path = join(dir, 'doc.json');
    await writeFileDurable(path, '{"ok":true}\n');
    await writeFile(join(dir, '.doc.json.4242.0123456789ab.tmp'), '{"ok":fal');
    expect(await readJsonDocument(path)).toEqual({ ok: true });
  });
});

describe('parseJsonDocument / readJsonDocument', () => {
  const reasonOf = (bytes: Uint8Array): unknown => {
    try {
      parseJsonDocument(bytes, '/x/run.json');
      return 'parsed';
    } catch (error) {
      return (error as { details: Record<string, unknown> }).details;
    }
  };

  it('classifies empty, NUL-filled, invalid UTF-8 and invalid JSON as store_corrupt with the path', () => {
    expect(reasonOf(new Uint8Array(0))).toEqual({ path: '/x/run.json', reason: 'empty' });
    expect(reasonOf(new Uint8Array(4096))).toEqual({ path: '/x/run.json', reason: 'nul_filled' });
    expect(reasonOf(new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual({ path: '/x/run.json', reason: 'invalid_json' });
    expect(reasonOf(Buffer.from('{"a":'))).toEqual({ path: '/x/run.json', reason: 'invalid_json' });
    expect(reasonOf(Buffer.from('{"a":1}'))).toBe('parsed');
  });

  it('reports a missing document as store_corrupt with a next safe action, never a default', async () => {
    const error = await rejection(readJsonDocument('/nonexistent/buran/run.json'), 'store_corrupt');
    expect(error.details).toEqual({ path: '/nonexistent/buran/run.json', reason: 'missing' });
    expect(error.nextSafeAction?.text).toMatch(/Restore .*run\.json from a backup, or move its run folder aside/);
  });
});

describe('createDurableJsonAdapter with lowdb', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'buran-adapter-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const parse = (value: unknown): { items: string[] } => value as { items: string[] };

  it('keeps the defaults for a missing file only while the store is fresh', async () => {
    const path = join(dir, 'db.json');
    let fresh = true;
    const db = new Low(createDurableJsonAdapter({ path, parse, missingIsFresh: () => fresh }), { items: [] as string[] });
    await db.read();
    expect(db.data).toEqual({ items: [] });
    fresh = false;
    const error = await rejection(db.read(), 'store_corrupt');
    expect(error.details).toEqual({ path, reason: 'missing' });
  });

  it('writes through the durable primitive and reads back what it wrote', async () => {
    const path = join(dir, 'db.json');
    const db = new Low(createDurableJsonAdapter({ path, parse, missingIsFresh: () => false }), { items: [] as string[] });
    await db.update((data) => data.items.push('a'));
    const again = new Low(createDurableJsonAdapter({ path, parse, missingIsFresh: () => false }), { items: ['default'] });
    await again.read();
    expect(again.data).toEqual({ items: ['a'] });
    await writeFile(path, '');
    await rejection(again.read(), 'store_corrupt');
    expect(await readFile(path, 'utf8')).toBe('');
  });
});
