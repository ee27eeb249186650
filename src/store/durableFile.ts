// The durable write primitive and the strict JSON read every store file uses.
//
// Write: a unique temp file in the same directory (`.<name>.<pid>.<random>.tmp`),
// fsync it, rename (or link, for write-once files) over the target, fsync the
// directory. A crash at any point leaves either the old file or the new one,
// never a mix; a leftover temp file is ignored by readers.
// Read: a file that must exist and is missing, empty, NUL-filled or not JSON is
// a `store_corrupt` error naming the path; it is never replaced by a default.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BuranError } from '../domain/errors.js';
import { errnoCode, storeCorrupt } from './storeErrors.js';

/** A fresh temp name beside `path`; unique per process and call. */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** fsync a directory so a rename, link or unlink inside it survives a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface DurableWriteOptions {
  /**
   * Create only: fail with EEXIST when the target exists (link(2) instead of
   * rename(2)). Used for write-once files: artifacts, locks, a fresh registry.
   */
  readonly exclusive?: boolean;
  /** Called once the temp file is written and synced, before it replaces the target (a crash point). */
  readonly beforeCommit?: () => void;
}

/**
 * Replace (or, with `exclusive`, create) `path` atomically and durably. When
 * it resolves, the new content and its directory entry are on disk.
 */
export async function writeFileDurable(path: string, data: string | Uint8Array, options: DurableWriteOptions = {}): Promise<void> {
  const tmp = tempNameFor(path);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    options.beforeCommit?.();
    if (options.exclusive === true) {
      await link(tmp, path);
      await unlink(tmp);
    } else {
      await rename(tmp, path);
    }
  } catch (error) {
    // Best effort: a leftover temp file is harmless (readers never open temp
    // names), and the write's own error is the one worth reporting.
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dirname(path));
}

/** JSON text of a document (2-space indent, trailing newline); invalid_input for values JSON cannot hold. */
export function serializeJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2); // undefined for undefined, functions, symbols
  } catch (error) {
    throw new BuranError({ code: 'invalid_input', message: `${what} is not JSON-serializable: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  }
  if (text === undefined) throw new BuranError({ code: 'invalid_input', message: `${what} is not JSON-serializable (got ${typeof value})` });
  return `${text}\n`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parse the bytes of a document that must exist. Empty, all-NUL (what some
 * file systems leave after a crash), invalid UTF-8 or invalid JSON throw
 * `store_corrupt` with `{ path, reason }`.
 */
export function parseJsonDocument(bytes: Uint8Array, path: string): unknown {
  if (bytes.length === 0) throw storeCorrupt(path, 'empty', 'store file is empty');
  if (bytes.every((b) => b === 0)) throw storeCorrupt(path, 'nul_filled', `store file holds only NUL bytes (${bytes.length})`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw storeCorrupt(path, 'invalid_json', 'store file is not valid UTF-8', {}, error);
  }
  if (text.trim() === '') throw storeCorrupt(path, 'empty', 'store file holds only whitespace');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw storeCorrupt(path, 'invalid_json', `store file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, {}, error);
  }
}

/** Read a document that may legitimately be absent: `null` when missing, else its parsed value. */
export async function readJsonIfPresent(path: string): Promise<{ value: unknown } | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw storeCorrupt(path, 'unreadable', `cannot read store file: ${error instanceof Error ? error.message : String(error)}`, {}, error);
  }
  return { value: parseJsonDocument(bytes, path) };
}

/** Read a document that must exist: missing is `store_corrupt` (reason `missing`). */
export async function readJsonDocument(path: string): Promise<unknown> {
  const found = await readJsonIfPresent(path);
  if (found === null) throw storeCorrupt(path, 'missing', 'store file is missing');
  return found.value;
}

/** Whether a path exists (any other stat error is thrown). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}
