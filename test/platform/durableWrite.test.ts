import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendFileDurableSync,
  createFileDurableSync,
  fsyncDir,
  fsyncDirSync,
  tempNameFor,
  writeFileDurable,
  writeFileDurableSync,
} from '../../src/platform/durableWrite.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'buran-platform-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tempNameFor', () => {
  it('names a hidden temp file beside the target, unique per call', () => {
    const a = tempNameFor(join(dir, 'doc.json'));
    const b = tempNameFor(join(dir, 'doc.json'));
    expect(a).toMatch(new RegExp(`^${dir}/\\.doc\\.json\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
    expect(a).not.toBe(b);
  });
});

describe('writeFileDurable', () => {
  it('replaces a file whole and leaves no temp file', async () => {
    const path = join(dir, 'doc');
    await writeFileDurable(path, 'one');
    await writeFileDurable(path, new TextEncoder().encode('two'));
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['doc']);
  });

  it('creates exclusively: EEXIST when the file exists, which keeps its content', async () => {
    const path = join(dir, 'once');
    await writeFileDurable(path, 'first', { exclusive: true });
    await expect(writeFileDurable(path, 'second', { exclusive: true })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['once']);
  });

  it('calls beforeCommit after the temp file is written and before the target changes', async () => {
    const path = join(dir, 'doc');
    await writeFileDurable(path, 'old');
    const seen: string[] = [];
    await writeFileDurable(path, 'new', { beforeCommit: () => seen.push('commit') });
    expect(seen).toEqual(['commit']);
    const failing = writeFileDurable(path, 'never', {
      beforeCommit: () => {
        throw new Error('crash here');
      },
    });
    await expect(failing).rejects.toThrow('crash here');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['doc']);
  });

  it('fails with ENOENT in a missing folder and leaves nothing behind', async () => {
    await expect(writeFileDurable(join(dir, 'missing', 'doc'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('fsyncDir / fsyncDirSync', () => {
  it('sync a real folder', async () => {
    await fsyncDir(dir);
    fsyncDirSync(dir);
  });
});

describe('sync variants', () => {
  it('writeFileDurableSync replaces a file whole and leaves no temp file', async () => {
    const path = join(dir, 'pid.json');
    writeFileDurableSync(path, '{"a":1}\n');
    writeFileDurableSync(path, '{"a":2}\n');
    expect(await readFile(path, 'utf8')).toBe('{"a":2}\n');
    expect(await readdir(dir)).toEqual(['pid.json']);
  });

  it('createFileDurableSync creates once; a second create returns false and changes nothing', async () => {
    const path = join(dir, 'kill.json');
    expect(createFileDurableSync(path, 'first')).toBe(true);
    expect(createFileDurableSync(path, 'second')).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['kill.json']);
  });

  it('createFileDurableSync does not replace a file made by someone else', async () => {
    const path = join(dir, 'claim');
    await writeFile(path, 'theirs');
    expect(createFileDurableSync(path, 'ours')).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('theirs');
  });

  it('appendFileDurableSync appends lines, creating the file', async () => {
    const path = join(dir, 'log.jsonl');
    appendFileDurableSync(path, 'a\n');
    appendFileDurableSync(path, 'b\n');
    expect(await readFile(path, 'utf8')).toBe('a\nb\n');
  });
});
