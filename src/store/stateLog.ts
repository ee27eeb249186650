// The run's state changes since its base snapshot: `snapshot.<base seq>.jsonl`,
// one JSON object per line, appended and fsync'd (one fsync per flush, not a
// rewrite of the whole state). The store treats lines as opaque JSON; the
// engine composes them (src/domain/snapshotDelta.ts). Each base snapshot starts
// a generation: its lines go to a new file, created (with a folder fsync) by
// its first append, which also removes the files of older generations (the
// base includes them; a removal a crash undoes leaves a file no reader opens).
// A crash mid-append leaves a torn final line: readers leave it out, the next
// append cuts it off first. Any other bad line is store_corrupt.
import { constants } from 'node:fs';
import { open, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrashPoint } from '../chaos/crashPoints.js';
import { fsyncDir } from '../platform/durableWrite.js';
import { errnoCode } from '../platform/errno.js';
import { parseLine } from './eventLog.js';
import { storeCorrupt } from './storeErrors.js';

const NEWLINE = 0x0a;
const NAME = /^snapshot\.(\d+)\.jsonl$/;

/** The file of the state lines on top of the base snapshot that includes seq `base`. */
export const stateLogName = (base: number): string => `snapshot.${base}.jsonl`;

export interface ParsedStateLog {
  readonly lines: unknown[];
  /** Bytes of the good prefix (the whole file when nothing is torn). */
  readonly goodBytes: number;
}

/** Pure: the complete lines; a bad final line is torn (left out), a bad line before it is store_corrupt. */
export function parseStateLog(bytes: Uint8Array, path: string): ParsedStateLog {
  const lines: unknown[] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    line += 1;
    const end = bytes.indexOf(NEWLINE, start);
    if (end === -1) break;
    const value = parseLine(bytes.subarray(start, end));
    if (value === undefined) {
      if (end + 1 === bytes.length) break;
      throw storeCorrupt(path, 'bad_line', `line ${line} of the state log is not a JSON object`, { line });
    }
    lines.push(value);
    start = end + 1;
  }
  return { lines, goodBytes: start };
}

/** The lines of one generation; [] when it has none yet (or the run predates state logs). */
export async function readStateLog(runDir: string, base: number): Promise<unknown[]> {
  const path = join(runDir, stateLogName(base));
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw storeCorrupt(path, 'unreadable', 'cannot read the state log', {}, error);
  }
  return parseStateLog(bytes, path).lines;
}

/** Encode one line; invalid_input surfaces from JSON.stringify's own errors as a thrown TypeError. */
const encode = (line: unknown): Buffer => Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');

/**
 * One run's state logs. Remembers the size of the current generation's file
 * after its own appends, so an append is an open, a stat, a write and an fsync;
 * a size it does not know (first append in this process, a crash before) makes
 * it check the tail first.
 */
export class StateLog {
  private known: { base: number; size: number } | null = null;

  constructor(
    readonly runDir: string,
    private readonly crash?: CrashPoint,
  ) {}

  /** Append one line to the generation of `base` and fsync it. The first append of a generation creates its file (and fsyncs the folder) and removes older ones. */
  async append(base: number, line: unknown): Promise<void> {
    const path = join(this.runDir, stateLogName(base));
    const bytes = encode(line);
    let created = false;
    let handle;
    try {
      handle = await open(path, constants.O_WRONLY | constants.O_APPEND);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL);
      created = true;
    }
    try {
      const { size } = await handle.stat();
      const start = created || (this.known?.base === base && this.known.size === size) ? size : await cutTornTail(handle, path);
      this.known = null; // unknown until the write is durable
      let written = 0;
      if (this.crash !== undefined) {
        written = (await handle.write(bytes, 0, Math.floor(bytes.length / 2))).bytesWritten;
        await handle.sync();
        this.crash('snapshot.mid-write');
      }
      while (written < bytes.length) written += (await handle.write(bytes, written)).bytesWritten;
      await handle.sync();
      this.known = { base, size: start + bytes.length };
    } finally {
      await handle.close();
    }
    if (created) {
      await fsyncDir(this.runDir);
      await removeOtherGenerations(this.runDir, base);
    }
  }
}

/** A torn final line (a crash cut an append short) is cut off and synced before anything is appended after it; returns the size kept. */
async function cutTornTail(handle: Awaited<ReturnType<typeof open>>, path: string): Promise<number> {
  const bytes = await readFile(path);
  const { goodBytes } = parseStateLog(bytes, path);
  if (goodBytes === bytes.length) return goodBytes;
  await handle.truncate(goodBytes);
  await handle.sync();
  return goodBytes;
}

/** Remove the state logs of other bases: the current base includes everything they held. */
async function removeOtherGenerations(runDir: string, base: number): Promise<void> {
  for (const name of await readdir(runDir)) {
    const match = NAME.exec(name);
    // A file left behind (the unlink failed, or a crash undid it) is never read: its name is not the base's.
    if (match !== null && Number(match[1]) !== base) await unlink(join(runDir, name)).catch(() => undefined);
  }
}
