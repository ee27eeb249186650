// The run store on disk, under `<root>/.buran/`:
//   runs.json                 registry index (lowdb over the durable adapter)
//   runs/<runId>/run.json     the run record
//   runs/<runId>/snapshot.json the base snapshot document
//   runs/<runId>/snapshot.<seq>.jsonl state lines on top of it (the resume point is the last)
//   runs/<runId>/events.jsonl append-only events log (what happened)
//   runs/<runId>/artifacts/<hex> content-addressed, write-once
//   runs/<runId>/attempts/    worker supervisor files
//   runs/<runId>/lock         the run lock (runLock.ts)
import { randomBytes } from 'node:crypto';
import { closeSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CrashPoint } from '../chaos/crashPoints.js';
import { sha256 } from '../domain/hash.js';
import { artifactBytes, artifactHex } from './artifactHash.js';
import { fsyncDir, writeFileDurable } from '../platform/durableWrite.js';
import { errnoCode } from '../platform/errno.js';
import { openRegularFile } from '../platform/regularFile.js';
import { pathExists, readJsonDocument, readJsonIfPresent, serializeJson } from './jsonDocument.js';
import { EventLog } from './eventLog.js';
import { StateLog, readStateLog, stateLogName } from './stateLog.js';
import { DEFAULT_STORE_DIR, initStore } from './initStore.js';
import type { EventsRead, NewRunIndex, ReadEventsOptions, RunIndexEntry, RunIndexFields, RunStore, StoreClock } from './port.js';
import { Registry, indexEntry, packetIdOf, unindexedFields } from './registry.js';
import { artifactNotFound, assertRunId, evidenceTampered, runExists, runIndexMissing, runNotFound, storeCorrupt, writeFailure } from './storeErrors.js';

export interface FileStoreOptions {
  /** The repository root. */
  readonly root: string;
  /** Store folder relative to root (config `store.dir`); default `.buran`. */
  readonly dir?: string;
  readonly clock?: StoreClock;
  /** Crash points (src/chaos) at the store's durable boundaries; omit in production. */
  readonly crash?: CrashPoint;
  /** Read the store as it is, without initialising it (buran doctor reads a store whose index may be lost). */
  readonly asIs?: boolean;
}

export interface FileStore extends RunStore {
  /** Absolute path of the store folder. */
  readonly storeDir: string;
}

const RECORD = 'run.json';
const SNAPSHOT = 'snapshot.json';
const EVENTS = 'events.jsonl';

/**
 * The durable run store. The folder is initialised (idempotently) on first use.
 *
 * @example
 * const store = createFileStore({ root: repoRoot });
 * await store.createRun('r-1', record);
 * await store.appendEvents('r-1', [{ seq: 1, type: 'transition' }]);
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  const clock = options.clock ?? { now: () => Date.now() };
  const now = (): number => clock.now();
  const storeDir = resolve(options.root, options.dir ?? DEFAULT_STORE_DIR);
  const runsDir = join(storeDir, 'runs');
  const registry = new Registry(storeDir, now);
  const logs = new Map<string, EventLog>();
  const stateLogs = new Map<string, StateLog>();
  const snapshotMarked = new Set<string>();
  const crash = options.crash;
  let ready: Promise<void> | null = null;

  const init = (): Promise<void> => {
    if (options.asIs === true) return Promise.resolve();
    ready ??= initStore(options.root, options.dir ?? DEFAULT_STORE_DIR).then(
      () => undefined,
      (error: unknown) => {
        ready = null; // let a later call try again
        throw error;
      },
    );
    return ready;
  };

  const runDir = (runId: string): string => {
    assertRunId(runId);
    return join(runsDir, runId);
  };

  /** The run's folder, after checking the id and that the run exists. */
  const existingRun = async (runId: string): Promise<string> => {
    const dir = runDir(runId);
    await init();
    try {
      if (!(await stat(dir)).isDirectory()) throw storeCorrupt(dir, 'bad_shape', 'the run folder is not a folder');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw runNotFound(runId);
      throw error;
    }
    return dir;
  };

  const logOf = (runId: string, dir: string): EventLog => {
    let log = logs.get(runId);
    if (log === undefined) {
      log = new EventLog(join(dir, EVENTS), { runId, now, ...(crash === undefined ? {} : { crash }) });
      logs.set(runId, log);
    }
    return log;
  };

  const readEventLog = async (runId: string, readOptions: ReadEventsOptions = {}): Promise<EventsRead> => logOf(runId, await existingRun(runId)).read(readOptions);

  return {
    storeDir,
    runDir,

    async createRun(runId: string, record: unknown, index: NewRunIndex = {}) {
      const dir = runDir(runId);
      const text = serializeJson(record, `the record of run ${runId}`);
      await init();
      if (await pathExists(dir)) throw runExists(runId);
      // Build the folder under a temp name, then rename: a run folder is either complete or absent.
      const tmp = join(runsDir, `.${runId}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await mkdir(join(tmp, 'attempts'), { recursive: true });
        await mkdir(join(tmp, 'artifacts'));
        await writeFileDurable(join(tmp, EVENTS), '');
        await writeFileDurable(join(tmp, RECORD), text);
        await rename(tmp, dir);
      } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        if (errnoCode(error) === 'ENOTEMPTY' || errnoCode(error) === 'EEXIST') throw runExists(runId);
        throw error;
      }
      await fsyncDir(runsDir);
      const at = new Date(now()).toISOString();
      const entry = indexEntry({ runId, packetId: index.packetId ?? packetIdOf(record), createdAt: at, ...unindexedFields(at), status: index.status ?? 'created' });
      await registry.update((doc) => {
        doc.runs[runId] = entry;
      });
    },

    async listRuns() {
      await init();
      const doc = await registry.read();
      return Object.values(doc.runs).sort((a, b) => (a.createdAt === b.createdAt ? (a.runId < b.runId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
    },

    async updateIndex(entry: RunIndexEntry) {
      await existingRun(entry.runId);
      const copy = indexEntry(entry);
      await registry.update((doc) => {
        doc.runs[copy.runId] = copy;
      });
    },

    async indexRun(runId: string, fields: RunIndexFields) {
      await existingRun(runId);
      await registry.update((doc) => {
        const entry = doc.runs[runId];
        if (entry === undefined) throw runIndexMissing(registry.path, runId);
        doc.runs[runId] = indexEntry({ ...entry, ...fields });
      });
    },

    async readRecord(runId) {
      return readJsonDocument(join(await existingRun(runId), RECORD));
    },

    async writeRecord(runId, record) {
      const dir = await existingRun(runId);
      await writeFileDurable(join(dir, RECORD), serializeJson(record, `the record of run ${runId}`));
    },

    async readSnapshot(runId) {
      const path = join(await existingRun(runId), SNAPSHOT);
      const found = await readJsonIfPresent(path);
      if (found !== null) return found.value;
      const writtenAt = (await registry.read()).snapshots[runId];
      if (writtenAt !== undefined) throw storeCorrupt(path, 'missing', `the snapshot is missing, but one was written at ${writtenAt}`, { writtenAt });
      return null;
    },

    async writeSnapshot(runId, snapshot) {
      const dir = await existingRun(runId);
      const path = join(dir, SNAPSHOT);
      await writeFileDurable(path, serializeJson(snapshot, `the snapshot of run ${runId}`), crash === undefined ? {} : { beforeCommit: () => crash('snapshot.mid-write') }).catch((error: unknown) => {
        throw writeFailure(path, error);
      });
      // Marker after the file: a crash in between leaves a snapshot without a marker, which reads fine.
      if (snapshotMarked.has(runId)) return;
      const at = new Date(now()).toISOString();
      await registry.update((doc) => {
        doc.snapshots[runId] ??= at;
      });
      snapshotMarked.add(runId);
    },

    async readStateLines(runId, base) {
      return readStateLog(await existingRun(runId), base);
    },

    async appendStateLine(runId, base, line) {
      const dir = await existingRun(runId);
      let log = stateLogs.get(runId);
      if (log === undefined) {
        log = new StateLog(dir, crash);
        stateLogs.set(runId, log);
      }
      await log.append(base, line).catch((error: unknown) => {
        throw writeFailure(join(dir, stateLogName(base)), error);
      });
    },

    async appendEvents(runId, events) {
      const dir = await existingRun(runId);
      await logOf(runId, dir)
        .append(events)
        .catch((error: unknown) => {
          throw writeFailure(join(dir, EVENTS), error);
        });
      crash?.('events.after-append');
    },

    async readEvents(runId, fromSeq) {
      return (await readEventLog(runId, fromSeq === undefined ? {} : { fromSeq })).events;
    },

    readEventLog,

    async putArtifact(runId, content) {
      const bytes = artifactBytes(content);
      const hash = sha256(bytes);
      const path = join(await existingRun(runId), 'artifacts', artifactHex(hash));
      try {
        await writeFileDurable(path, bytes, { exclusive: true });
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') throw storeCorrupt(join(path, '..'), 'missing', 'the artifacts folder is missing');
        if (errnoCode(error) !== 'EEXIST') throw error;
        await readArtifact(runId, path, hash); // already stored: check it still matches
      }
      return hash;
    },

    async getArtifact(runId, hash) {
      const hex = artifactHex(hash);
      return readArtifact(runId, join(await existingRun(runId), 'artifacts', hex), hash);
    },
  };
}

/** An artifact's bytes, re-hashed. Opened as a regular file only: a link or FIFO planted in its place is a changed record, never followed or waited on. */
async function readArtifact(runId: string, path: string, hash: string): Promise<Uint8Array> {
  await Promise.resolve();
  const file = `artifacts/${artifactHex(hash)}`;
  const opened = openRegularFile(path);
  if (opened.kind === 'missing') throw artifactNotFound(runId, hash);
  if (opened.kind === 'refused') throw evidenceTampered(runId, file, `is ${opened.why}, not the file buran stored`, { path });
  let bytes: Buffer;
  try {
    bytes = readFileSync(opened.fd);
  } finally {
    closeSync(opened.fd);
  }
  const actual = sha256(bytes);
  if (actual !== hash) throw evidenceTampered(runId, file, `no longer matches its content address (now ${actual})`, { path, expected: hash, actual });
  return new Uint8Array(bytes);
}
