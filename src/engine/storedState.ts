// The run's stored state: the base snapshot document (`snapshot.json`,
// validated and migrated) with the state lines written on top of it
// (`snapshot.<seq>.jsonl`) applied in order. A run stored before state lines
// existed has none: its snapshot.json is its whole state, read as before.
import { BuranError } from '../domain/errors.js';
import { sha256 } from '../domain/hash.js';
import { SNAPSHOT_SCHEMA_ID, SnapshotDocSchema, migrateSnapshot, type SnapshotDoc } from '../domain/snapshotDoc.js';
import { SnapshotDeltaSchema, composeState, type SnapshotDelta } from '../domain/snapshotDelta.js';
import type { EngineStore } from './storePort.js';

/** Where the state a reader resumes from stands, and what its seal must name. */
export interface ResumePoint {
  /** The seq of the base document the lines are on top of. */
  readonly base: number;
  /** The digest of the base's snapshot as stored (what the first line names as `prev`). */
  readonly baseDigest: string;
  /** The base was stored at an older snapshot version (read migrated; written again at this one by the next flush). */
  readonly migrated: boolean;
  /** The digest the seal of event `doc.seq` names (of the last line used, else of the base's snapshot). */
  readonly digest: string;
  /** The file holding that state, for a blocker (`snapshot.json` or `snapshot.<base>.jsonl`). */
  readonly file: string;
  /** JSON size of the base's snapshot and of the lines used (the persister writes a new base when the lines outgrow it). */
  readonly baseBytes: number;
  readonly lineBytes: number;
  /** Why the base and the lines do not chain (records changed outside buran), else null. */
  readonly chainBreak: { readonly file: string; readonly reason: string } | null;
}

/** A snapshot document as stored, composed: `seq` and `snapshot` are those of the last state line used. */
export interface StoredDoc extends SnapshotDoc {
  readonly point: ResumePoint;
}

function corrupt(runId: string, what: string, reason: string): BuranError {
  return new BuranError({ code: 'store_corrupt', message: `run ${runId}: ${what} ${reason}`, details: { runId, what, reason } });
}

/** A base as read: migrated to this version, with the digest and size of the snapshot as stored (what the seal and the first line name). */
export interface BaseRead {
  readonly doc: SnapshotDoc;
  readonly digest: string;
  readonly bytes: number;
  /** Stored at an older version (the next flush writes it again at this one). */
  readonly migrated: boolean;
}

/** The base document, validated and migrated; null when none was ever written. */
export async function readBase(store: Pick<EngineStore, 'readSnapshot'>, runId: string): Promise<BaseRead | null> {
  const raw = await store.readSnapshot(runId);
  if (raw === null || raw === undefined) return null;
  const parsed = SnapshotDocSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(runId, 'snapshot.json', `does not match ${SNAPSHOT_SCHEMA_ID}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const text = JSON.stringify(parsed.data.snapshot);
  const migrated = migrateSnapshot(parsed.data);
  if (!migrated.ok) throw corrupt(runId, 'snapshot.json', migrated.reason);
  return { doc: migrated.doc, digest: sha256(text), bytes: text.length, migrated: migrated.doc.version !== parsed.data.version };
}

/** The composed state of a run; null when no snapshot was ever written. store_corrupt for a line that is not a state line of this run. */
export async function loadStoredState(store: Pick<EngineStore, 'readSnapshot' | 'readStateLines'>, runId: string): Promise<StoredDoc | null> {
  const read = await readBase(store, runId);
  if (read === null) return null;
  const base = read.doc;
  const file = `snapshot.${base.seq}.jsonl`;
  const lines: SnapshotDelta[] = (await store.readStateLines(runId, base.seq)).map((raw, i) => {
    const parsed = SnapshotDeltaSchema.safeParse(raw);
    if (!parsed.success || parsed.data.runId !== base.runId) throw corrupt(runId, file, `line ${i + 1} is not a state line of this run`);
    return parsed.data;
  });
  // Lines are written on the base as this version reads it (migrated), and chained from its digest as stored.
  const composed = composeState(base, lines, read.digest);
  const point: ResumePoint = {
    base: base.seq,
    baseDigest: read.digest,
    migrated: read.migrated,
    digest: composed.digest,
    file: composed.applied === 0 ? 'snapshot.json' : file,
    baseBytes: read.bytes,
    lineBytes: composed.lineBytes,
    chainBreak: composed.chainBreak === null ? null : { file: composed.chainBreak.at === 'base' ? 'snapshot.json' : file, reason: composed.chainBreak.reason },
  };
  return { ...base, seq: composed.seq, snapshot: composed.snapshot, point };
}

/** For readers that judge the stored state themselves (scope recovery, doctor, approve): the composed document, unvalidated beyond the load. */
export async function readStoredSnapshot(store: Pick<EngineStore, 'readSnapshot' | 'readStateLines'>, runId: string): Promise<unknown> {
  const doc = await loadStoredState(store, runId);
  if (doc === null) return null;
  return { schema: doc.schema, version: doc.version, runId: doc.runId, seq: doc.seq, snapshot: doc.snapshot };
}
