// The in-memory twin of the file store: same port, same errors, same checks.
// Documents are kept as the bytes the file store would write and parsed with
// the same functions, so corruption injected through `hooks` behaves the same.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../domain/hash.js';
import { artifactBytes, artifactHex } from './artifactHash.js';
import { parseJsonDocument, serializeJson } from './jsonDocument.js';
import { encodeEvents, eventsFrom, parseEventLog } from './eventLog.js';
import { parseStateLog, stateLogName } from './stateLog.js';
import type { EventsRead, ReadEventsOptions, RunIndexEntry, RunStore, StoreClock, TornTail } from './port.js';
import { indexEntry, packetIdOf, unindexedFields } from './registry.js';
import { artifactNotFound, assertRunId, evidenceTampered, runExists, runIndexMissing, runNotFound, storeCorrupt } from './storeErrors.js';

/** A file of a run that tests may corrupt. */
export type MemoryRunFile = 'record' | 'snapshot' | 'events';

/** Test hooks: read or replace a run's raw bytes (null deletes) to simulate a crash or a bad disk. */
export interface MemoryStoreHooks {
  setRaw(runId: string, file: MemoryRunFile, bytes: string | Uint8Array | null): void;
  raw(runId: string, file: MemoryRunFile): Uint8Array | null;
  /** Names of torn tails moved aside, oldest first. */
  tornFiles(runId: string): string[];
}

export interface MemoryStore extends RunStore {
  readonly hooks: MemoryStoreHooks;
}

export interface MemoryStoreOptions {
  readonly clock?: StoreClock;
  /** Folder runDir() points into (nothing is created there); default a name under the OS temp folder. */
  readonly runDirRoot?: string;
}

interface MemoryRun {
  record: Uint8Array | null;
  snapshot: Uint8Array | null;
  snapshotWrittenAt: string | null;
  events: Uint8Array[] | null;
  /** seq of the last event while the bytes are known good; null after a hook changed them. */
  lastSeq: number | null;
  readonly artifacts: Map<string, Uint8Array>;
  /** State lines per base seq (only the newest generation is kept, as on disk). */
  readonly states: Map<number, Uint8Array[]>;
  readonly torn: Map<string, Uint8Array>;
}

const FILE_NAMES: Record<MemoryRunFile, string> = { record: 'run.json', snapshot: 'snapshot.json', events: 'events.jsonl' };

/**
 * The in-memory run store for tests of the engine.
 *
 * @example
 * const store = createMemoryStore({ clock: { now: () => 0 } });
 * store.hooks.setRaw('r-1', 'snapshot', ''); // next readSnapshot: store_corrupt (empty)
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = (): number => (options.clock ?? { now: () => Date.now() }).now();
  const runDirRoot = options.runDirRoot ?? join(tmpdir(), `buran-memory-${randomBytes(4).toString('hex')}`, 'runs');
  const runs = new Map<string, MemoryRun>();
  const index = new Map<string, RunIndexEntry>();
  const pathOf = (runId: string, file: MemoryRunFile): string => `memory://runs/${runId}/${FILE_NAMES[file]}`;

  const runOf = (runId: string): MemoryRun => {
    assertRunId(runId);
    const run = runs.get(runId);
    if (run === undefined) throw runNotFound(runId);
    return run;
  };

  const readLog = (runId: string, run: MemoryRun, readOptions: ReadEventsOptions): EventsRead => {
    const path = pathOf(runId, 'events');
    if (run.events === null) throw storeCorrupt(path, 'missing', 'the events log is missing');
    const bytes = Buffer.concat(run.events);
    const parsed = parseEventLog(bytes, path);
    let torn: TornTail | null = null;
    if (parsed.torn !== null) {
      let movedTo: string | null = null;
      if (readOptions.repair !== false) {
        movedTo = `${path}.torn-${now()}`;
        for (let n = 1; run.torn.has(movedTo); n += 1) movedTo = `${path}.torn-${now()}-${n}`;
        run.torn.set(movedTo, bytes.subarray(parsed.goodBytes));
        run.events = [bytes.subarray(0, parsed.goodBytes)];
      }
      torn = { ...parsed.torn, movedTo };
    }
    run.lastSeq = torn === null || torn.movedTo !== null ? parsed.lastSeq : null;
    return { events: eventsFrom(parsed.events, readOptions.fromSeq), lastSeq: parsed.lastSeq, torn };
  };

  const hooks: MemoryStoreHooks = {
    setRaw(runId, file, bytes) {
      const run = runOf(runId);
      const copy = bytes === null ? null : artifactBytes(bytes);
      if (file === 'events') {
        run.events = copy === null ? null : [copy];
        run.lastSeq = null;
      } else {
        run[file] = copy;
      }
    },
    raw(runId, file) {
      const run = runOf(runId);
      if (file === 'events') return run.events === null ? null : new Uint8Array(Buffer.concat(run.events));
      const bytes = run[file];
      return bytes === null ? null : new Uint8Array(bytes);
    },
    tornFiles: (runId) => [...runOf(runId).torn.keys()],
  };

  const readEventLog = async (runId: string, readOptions: ReadEventsOptions = {}): Promise<EventsRead> => {
    await Promise.resolve();
    return readLog(runId, runOf(runId), readOptions);
  };

  return {
    hooks,

    runDir(runId) {
      assertRunId(runId);
      return join(runDirRoot, runId);
    },

    async createRun(runId, record, newIndex = {}) {
      assertRunId(runId);
      const text = serializeJson(record, `the record of run ${runId}`);
      await Promise.resolve();
      if (runs.has(runId)) throw runExists(runId);
      runs.set(runId, { record: Buffer.from(text), snapshot: null, snapshotWrittenAt: null, events: [], lastSeq: 0, artifacts: new Map(), states: new Map(), torn: new Map() });
      const at = new Date(now()).toISOString();
      index.set(runId, indexEntry({ runId, packetId: newIndex.packetId ?? packetIdOf(record), createdAt: at, ...unindexedFields(at), status: newIndex.status ?? 'created' }));
    },

    async listRuns() {
      await Promise.resolve();
      return [...index.values()].sort((a, b) => (a.createdAt === b.createdAt ? (a.runId < b.runId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
    },

    async updateIndex(entry) {
      await Promise.resolve();
      runOf(entry.runId);
      index.set(entry.runId, indexEntry(entry));
    },

    async indexRun(runId, fields) {
      await Promise.resolve();
      runOf(runId);
      const entry = index.get(runId);
      if (entry === undefined) throw runIndexMissing('memory:runs.json', runId);
      index.set(runId, indexEntry({ ...entry, ...fields }));
    },

    async readRecord(runId) {
      await Promise.resolve();
      const run = runOf(runId);
      if (run.record === null) throw storeCorrupt(pathOf(runId, 'record'), 'missing', 'store file is missing');
      return parseJsonDocument(run.record, pathOf(runId, 'record'));
    },

    async writeRecord(runId, record) {
      await Promise.resolve();
      const run = runOf(runId);
      run.record = Buffer.from(serializeJson(record, `the record of run ${runId}`));
    },

    async readSnapshot(runId) {
      await Promise.resolve();
      const run = runOf(runId);
      const path = pathOf(runId, 'snapshot');
      if (run.snapshot !== null) return parseJsonDocument(run.snapshot, path);
      if (run.snapshotWrittenAt !== null) {
        throw storeCorrupt(path, 'missing', `the snapshot is missing, but one was written at ${run.snapshotWrittenAt}`, { writtenAt: run.snapshotWrittenAt });
      }
      return null;
    },

    async writeSnapshot(runId, snapshot) {
      await Promise.resolve();
      const run = runOf(runId);
      run.snapshot = Buffer.from(serializeJson(snapshot, `the snapshot of run ${runId}`));
      run.snapshotWrittenAt ??= new Date(now()).toISOString();
    },

    async readStateLines(runId, base) {
      await Promise.resolve();
      const chunks = runOf(runId).states.get(base);
      return chunks === undefined ? [] : parseStateLog(Buffer.concat(chunks), `memory://runs/${runId}/${stateLogName(base)}`).lines;
    },

    async appendStateLine(runId, base, line) {
      await Promise.resolve();
      const run = runOf(runId);
      const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
      const chunks = run.states.get(base);
      if (chunks !== undefined) {
        chunks.push(bytes);
        return;
      }
      run.states.clear();
      run.states.set(base, [bytes]);
    },

    async appendEvents(runId, events) {
      await Promise.resolve();
      const run = runOf(runId);
      if (events.length === 0) return;
      const lastSeq = run.lastSeq ?? readLog(runId, run, {}).lastSeq;
      const bytes = encodeEvents(runId, lastSeq, events);
      if (run.events === null) throw storeCorrupt(pathOf(runId, 'events'), 'missing', 'the events log is missing');
      run.events.push(bytes);
      run.lastSeq = lastSeq + events.length;
    },

    async readEvents(runId, fromSeq) {
      return (await readEventLog(runId, fromSeq === undefined ? {} : { fromSeq })).events;
    },

    readEventLog,

    async putArtifact(runId, content) {
      await Promise.resolve();
      const run = runOf(runId);
      const bytes = artifactBytes(content);
      const hash = sha256(bytes);
      const hex = artifactHex(hash);
      const existing = run.artifacts.get(hex);
      if (existing !== undefined && sha256(existing) !== hash) throw evidenceTampered(runId, `artifacts/${hex}`, 'no longer matches its content address');
      if (existing === undefined) run.artifacts.set(hex, bytes);
      return hash;
    },

    async getArtifact(runId, hash) {
      await Promise.resolve();
      const hex = artifactHex(hash);
      const bytes = runOf(runId).artifacts.get(hex);
      if (bytes === undefined) throw artifactNotFound(runId, hash);
      if (sha256(bytes) !== hash) throw evidenceTampered(runId, `artifacts/${hex}`, 'no longer matches its content address');
      return new Uint8Array(bytes);
    },
  };
}
