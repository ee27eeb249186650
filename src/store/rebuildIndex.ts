// Rebuilding the run index (`runs.json`) from the run folders, for
// `buran doctor --fix`. The index is derived: its entries are what the run
// folders say (`rebuiltIndexEntry`), its snapshot markers say which runs wrote
// a snapshot. The index it replaces is moved aside, never deleted.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, writeFileDurable } from '../platform/durableWrite.js';
import { pathExists, serializeJson } from './jsonDocument.js';
import type { RunIndexEntry, RunIndexFields } from './port.js';
import { REGISTRY_FILE, REGISTRY_SCHEMA_ID, type RegistryDoc, indexEntry, packetIdOf, unindexedFields } from './registry.js';
import { acquireLockFile } from './runLock.js';

/** A run folder proven readable, as the index needs it. */
export interface ProvenRun {
  readonly runId: string;
  /** run.json as stored. */
  readonly record: unknown;
  /** ISO time the run's snapshot file was last written (its marker), or null when it has none. */
  readonly snapshotAt: string | null;
  /** Its index fields derived from its stored snapshot (src/engine/runIndex.ts), null when it has none. */
  readonly fields: RunIndexFields | null;
}

/**
 * The index entry of a run: packet id and creation time from run.json, its
 * state fields as its stored snapshot says (as the driver writes them), or
 * those of a run never driven when it has no snapshot. The one place a
 * rebuilt entry is made.
 */
export function rebuiltIndexEntry(run: ProvenRun): RunIndexEntry {
  const record = run.record as { createdAt?: unknown } | null;
  const at = typeof record?.createdAt === 'string' ? record.createdAt : new Date(0).toISOString();
  return indexEntry({ runId: run.runId, packetId: packetIdOf(run.record), createdAt: at, ...(run.fields ?? unindexedFields(at)) });
}

/** The whole index document for these runs. Pure. */
export function rebuiltRegistry(runs: readonly ProvenRun[]): RegistryDoc {
  const doc: RegistryDoc = { schema: REGISTRY_SCHEMA_ID, runs: {}, snapshots: {} };
  for (const run of runs) {
    doc.runs[run.runId] = rebuiltIndexEntry(run);
    if (run.snapshotAt !== null) doc.snapshots[run.runId] = run.snapshotAt;
  }
  return doc;
}

/**
 * Replace `<storeDir>/runs.json` with an index of `runs`, under the registry
 * lock. The file it replaces (missing, truncated or stale) is kept as
 * `runs.json.replaced-<ms>`; returns that path, or null when there was none.
 */
export async function writeRebuiltIndex(storeDir: string, runs: readonly ProvenRun[], now: () => number = Date.now): Promise<string | null> {
  const path = join(storeDir, REGISTRY_FILE);
  const lock = await acquireLockFile(`${path}.lock`, { now });
  try {
    let movedTo: string | null = null;
    if (await pathExists(path)) {
      movedTo = `${path}.replaced-${now()}`;
      await rename(path, movedTo);
    }
    await writeFileDurable(path, serializeJson(rebuiltRegistry(runs), path), { exclusive: true });
    await fsyncDir(storeDir);
    return movedTo;
  } finally {
    await lock.release();
  }
}
