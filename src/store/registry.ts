// The registry index `.buran/runs.json`: one entry per run (for listing and
// status) and the "a snapshot was written" marker per run. lowdb over the
// durable adapter; every read-modify-write runs under a short-lived lock file
// (`runs.json.lock`) because drivers of different runs share this one file.
import { join } from 'node:path';
import { Low } from 'lowdb';
import * as z from 'zod';
import { BuranError, isBuranError } from '../domain/errors.js';
import { createDurableJsonAdapter } from './durableJsonAdapter.js';
import type { RunIndexEntry, RunIndexFields } from './port.js';
import { acquireLockFile } from './runLock.js';
import { indexCorrupt, storeCorrupt } from './storeErrors.js';

export const REGISTRY_SCHEMA_ID = 'buran.registry/v1';
export const REGISTRY_FILE = 'runs.json';

// stage, epoch, blockerCode and sandbox came later: an older index lacks them, which reads as
// null (not derived yet) and is filled by the run's next drive; nothing else is changed.
const EntrySchema = z.strictObject({
  runId: z.string(),
  packetId: z.string(),
  createdAt: z.string(),
  status: z.string(),
  stage: z.string().nullable().default(null),
  epoch: z.number().int().min(0).nullable().default(null),
  blockerCode: z.string().nullable().default(null),
  sandbox: z.string().nullable().default(null),
  updatedAt: z.string(),
});

const RegistrySchema = z.strictObject({
  schema: z.literal(REGISTRY_SCHEMA_ID),
  runs: z.record(z.string(), EntrySchema),
  /** runId -> ISO time its first snapshot was written (so a lost snapshot is corruption, not "none yet"). */
  snapshots: z.record(z.string(), z.string()),
});
export type RegistryDoc = z.output<typeof RegistrySchema>;

export function emptyRegistry(): RegistryDoc {
  return { schema: REGISTRY_SCHEMA_ID, runs: {}, snapshots: {} };
}

function parseRegistry(value: unknown, path: string): RegistryDoc {
  const parsed = RegistrySchema.safeParse(value);
  if (!parsed.success) throw storeCorrupt(path, 'bad_shape', `the registry does not match ${REGISTRY_SCHEMA_ID}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The fields of a run that no driver has indexed yet. */
export function unindexedFields(updatedAt: string): RunIndexFields {
  return { status: 'created', stage: null, epoch: null, blockerCode: null, sandbox: null, updatedAt };
}

/** Copy only the index fields (callers may pass richer objects). */
export function indexEntry(entry: RunIndexEntry): RunIndexEntry {
  const { runId, packetId, createdAt, status, stage, epoch, blockerCode, sandbox, updatedAt } = entry;
  const parsed = EntrySchema.safeParse({ runId, packetId, createdAt, status, stage, epoch, blockerCode, sandbox, updatedAt });
  if (!parsed.success) throw new BuranError({ code: 'invalid_input', message: `invalid index entry: ${z.prettifyError(parsed.error)}`, details: { runId: entry.runId } });
  return parsed.data;
}

/** `record.packetId` when the record is an object with a string packetId, else ''. */
export function packetIdOf(record: unknown): string {
  if (typeof record === 'object' && record !== null && 'packetId' in record && typeof record.packetId === 'string') return record.packetId;
  return '';
}

/** How long an update waits for another process's registry lock, in ms. */
const LOCK_WAIT_MS = 10_000;

export class Registry {
  readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    storeDir: string,
    private readonly now: () => number,
  ) {
    this.path = join(storeDir, REGISTRY_FILE);
  }

  /** A fresh Low per use, so a concurrent read never swaps the data under an update. */
  private open(): Low<RegistryDoc> {
    // initStore creates the file, so from here on a missing registry is always corruption.
    const adapter = createDurableJsonAdapter({ path: this.path, parse: parseRegistry, missingIsFresh: () => false });
    // A lost or broken index is rebuilt from the run folders (buran doctor --fix): the error says so.
    const read = async (): Promise<RegistryDoc | null> => {
      try {
        return await adapter.read();
      } catch (error) {
        throw indexCorrupt(error);
      }
    };
    return new Low({ read, write: (data) => adapter.write(data) }, emptyRegistry());
  }

  /** The current registry (one read, no lock: writes replace the file atomically). */
  async read(): Promise<RegistryDoc> {
    const db = this.open();
    await db.read();
    return db.data;
  }

  /** Read, change and write back under the registry lock; one at a time in this process. */
  update(change: (doc: RegistryDoc) => void): Promise<RegistryDoc> {
    const result = this.queue.then(() => this.locked(change));
    this.queue = result.catch(() => undefined); // the caller gets the error; the queue moves on
    return result;
  }

  private async locked(change: (doc: RegistryDoc) => void): Promise<RegistryDoc> {
    const lock = await this.acquire();
    try {
      const db = this.open();
      await db.read();
      change(db.data);
      await db.write();
      return db.data;
    } finally {
      await lock.release();
    }
  }

  private async acquire() {
    const deadline = performance.now() + LOCK_WAIT_MS; // real time: an injected clock may stand still
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        return await acquireLockFile(`${this.path}.lock`, { now: this.now });
      } catch (error) {
        const waitable = isBuranError(error) && error.code === 'run_locked' && error.details['foreign'] !== true;
        if (!waitable || performance.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
    }
  }
}
