// The append-only events log of one run (`events.jsonl`): one JSON object per
// line, `seq` 1, 2, 3, ... with no gaps. Appends never rewrite the file: open
// O_APPEND, one write, fsync, then resolve. A crash mid-append can only leave a
// torn final line, which the next reader moves aside; any other bad line is
// corruption and stops the run.
import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { CrashPoint } from '../chaos/crashPoints.js';
import { BuranError } from '../domain/errors.js';
import { writeFileDurable } from '../platform/durableWrite.js';
import { errnoCode } from '../platform/errno.js';
import type { EventsRead, ReadEventsOptions, TornTail } from './port.js';
import { badEventSeq, storeCorrupt } from './storeErrors.js';

export interface ParsedEventLog {
  readonly events: unknown[];
  readonly lastSeq: number;
  /** Length in bytes of the good prefix (the whole file when nothing is torn). */
  readonly goodBytes: number;
  readonly torn: Omit<TornTail, 'movedTo'> | null;
}

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One JSON object line (without its newline); undefined when it is not one. */
export function parseLine(bytes: Uint8Array): unknown {
  try {
    const value = JSON.parse(utf8.decode(bytes)) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined; // reported by the caller as torn or corrupt, with its line number
  }
}

function seqOf(event: unknown): unknown {
  return typeof event === 'object' && event !== null && 'seq' in event ? event.seq : undefined;
}

/**
 * Pure: split and check the bytes of a log. A bad final line is reported as
 * torn; a bad line before it, or a seq out of order, throws store_corrupt
 * with the line number.
 */
export function parseEventLog(bytes: Uint8Array, path: string): ParsedEventLog {
  const events: unknown[] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    line += 1;
    const end = bytes.indexOf(NEWLINE, start);
    if (end === -1) return { events, lastSeq: events.length, goodBytes: start, torn: { line, bytes: bytes.length - start, reason: 'no_newline' } };
    const event = parseLine(bytes.subarray(start, end));
    if (event === undefined) {
      if (end + 1 === bytes.length) return { events, lastSeq: events.length, goodBytes: start, torn: { line, bytes: bytes.length - start, reason: 'unparsable' } };
      throw storeCorrupt(path, 'bad_line', `line ${line} of the events log is not a JSON object`, { line });
    }
    const seq = seqOf(event);
    if (seq !== line) throw storeCorrupt(path, 'bad_seq', `line ${line} of the events log has seq ${JSON.stringify(seq ?? null)}; expected ${line}`, { line, seq: seq ?? null });
    events.push(event);
    start = end + 1;
  }
  return { events, lastSeq: events.length, goodBytes: bytes.length, torn: null };
}

/** The JSONL bytes for a batch that must continue after `lastSeq`; invalid_input on a seq out of order. */
export function encodeEvents(runId: string, lastSeq: number, events: readonly unknown[]): Buffer {
  const lines = events.map((event, index) => {
    const expected = lastSeq + index + 1;
    const seq = typeof event === 'object' && event !== null && !Array.isArray(event) ? seqOf(event) : undefined;
    if (seq !== expected) throw badEventSeq(runId, index, expected, seq);
    return `${encodeEvent(runId, event)}\n`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

/** The events with `seq >= fromSeq` of a checked log (seq equals position + 1). */
export function eventsFrom(events: unknown[], fromSeq: number | undefined): unknown[] {
  if (fromSeq === undefined || fromSeq <= 1) return events;
  if (!Number.isSafeInteger(fromSeq)) throw new BuranError({ code: 'invalid_input', message: `fromSeq must be an integer, got ${fromSeq}`, details: { fromSeq } });
  return events.slice(fromSeq - 1);
}

function encodeEvent(runId: string, event: unknown): string {
  try {
    return JSON.stringify(event);
  } catch (error) {
    throw new BuranError({ code: 'invalid_input', message: `an event for run ${runId} is not JSON-serializable`, details: { runId }, cause: error });
  }
}

export interface EventLogOptions {
  readonly runId: string;
  /** Milliseconds since the epoch; names the torn-tail file. */
  readonly now: () => number;
  /** Crash points (src/chaos): `events.mid-append` is reached with half of a batch written and synced. */
  readonly crash?: CrashPoint;
}

/** One run's log. Caches the last seq and size so an append is O(1) (a stat, a write, an fsync). */
export class EventLog {
  private known: { lastSeq: number; size: number } | null = null;
  /** Reads and appends of this log run one at a time within the process. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly options: EventLogOptions,
  ) {}

  read(readOptions: ReadEventsOptions = {}): Promise<EventsRead> {
    return this.serial(() => this.readNow(readOptions));
  }

  /** Append a batch (seq must continue the log) and fsync before resolving. */
  append(events: readonly unknown[]): Promise<void> {
    return this.serial(() => this.appendNow(events));
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined); // the caller gets the error; the queue moves on
    return result;
  }

  private async readNow(readOptions: ReadEventsOptions): Promise<EventsRead> {
    const bytes = await this.readBytes();
    const parsed = parseEventLog(bytes, this.path);
    let torn: TornTail | null = null;
    if (parsed.torn !== null) {
      const movedTo = readOptions.repair === false ? null : await this.moveTornTail(bytes, parsed.goodBytes);
      torn = { ...parsed.torn, movedTo };
    }
    this.known = torn === null || torn.movedTo !== null ? { lastSeq: parsed.lastSeq, size: parsed.goodBytes } : null;
    return { events: eventsFrom(parsed.events, readOptions.fromSeq), lastSeq: parsed.lastSeq, torn };
  }

  private async appendNow(events: readonly unknown[]): Promise<void> {
    if (events.length === 0) return;
    const handle = await this.openForAppend();
    try {
      let known = this.known;
      const { size } = await handle.stat();
      if (known === null || known.size !== size) {
        await this.readNow({}); // first append in this process, or someone else wrote: re-check (and repair) the tail
        known = this.known ?? { lastSeq: 0, size: 0 };
        if ((await handle.stat()).size !== known.size) throw this.changedUnderUs();
      }
      const bytes = encodeEvents(this.options.runId, known.lastSeq, events);
      this.known = null; // unknown until the write is durable
      let written = 0;
      if (this.options.crash !== undefined) {
        written = (await handle.write(bytes, 0, Math.floor(bytes.length / 2))).bytesWritten;
        await handle.sync();
        this.options.crash('events.mid-append');
      }
      while (written < bytes.length) {
        written += (await handle.write(bytes, written)).bytesWritten;
      }
      await handle.sync();
      this.known = { lastSeq: known.lastSeq + events.length, size: known.size + bytes.length };
    } finally {
      await handle.close();
    }
  }

  private async readBytes(): Promise<Buffer> {
    try {
      return await readFile(this.path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw storeCorrupt(this.path, 'missing', 'the events log is missing');
      throw storeCorrupt(this.path, 'unreadable', 'cannot read the events log', {}, error);
    }
  }

  private async openForAppend() {
    try {
      // No O_CREAT: the run folder is created with an empty log, so a missing log is corruption.
      return await open(this.path, constants.O_WRONLY | constants.O_APPEND);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw storeCorrupt(this.path, 'missing', 'the events log is missing');
      throw error;
    }
  }

  /** Copy the torn bytes to `<log>.torn-<ms>` durably, then truncate the log to its good prefix. */
  private async moveTornTail(bytes: Buffer, goodBytes: number): Promise<string> {
    const base = `${this.path}.torn-${this.options.now()}`;
    let movedTo = base;
    for (let n = 1; ; n += 1) {
      try {
        await writeFileDurable(movedTo, bytes.subarray(goodBytes), { exclusive: true });
        break;
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST' || n > 100) throw error;
        movedTo = `${base}-${n}`;
      }
    }
    const handle = await open(this.path, 'r+');
    try {
      if ((await handle.stat()).size !== bytes.length) throw this.changedUnderUs();
      await handle.truncate(goodBytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return movedTo;
  }

  private changedUnderUs(): BuranError {
    this.known = null;
    return new BuranError({
      code: 'run_locked',
      message: `the events log of run ${this.options.runId} changed while this process was using it: another process is writing to it`,
      details: { runId: this.options.runId, path: this.path },
      nextSafeAction: { text: 'Make sure only one buran process drives this run (the run lock), then retry.', command: null },
    });
  }
}
