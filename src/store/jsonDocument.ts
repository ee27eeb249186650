// The strict JSON read and the JSON text every store file uses (writes:
// writeFileDurable in src/platform/durableWrite.ts).
//
// Read: a file that must exist and is missing, empty, NUL-filled or not JSON is
// a `store_corrupt` error naming the path; it is never replaced by a default.
import { readFile, stat } from 'node:fs/promises';
import { BuranError } from '../domain/errors.js';
import { errnoCode } from '../platform/errno.js';
import { storeCorrupt } from './storeErrors.js';

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
