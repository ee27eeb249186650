import * as z from 'zod';

export const SNAPSHOT_SCHEMA_ID = 'buran.snapshot/v1';
/** Bump when the charts change shape in a way old snapshots cannot restore into; add a migration below. */
export const SNAPSHOT_VERSION = 1;

/**
 * `snapshot.json`: the persisted actor snapshot plus the seq of the last event
 * it includes (events with a higher seq happened after it was written).
 */
export const SnapshotDocSchema = z.strictObject({
  schema: z.literal(SNAPSHOT_SCHEMA_ID),
  version: z.number().int().min(1),
  runId: z.string().min(1),
  seq: z.number().int().min(0),
  snapshot: z.record(z.string(), z.unknown()),
});
export type SnapshotDoc = z.output<typeof SnapshotDocSchema>;

type Migration = (doc: SnapshotDoc) => SnapshotDoc;

/**
 * Migrations from version N to N + 1, keyed by N. Empty while there is only
 * version 1; the hook exists so a chart change ships with its migration.
 */
export const SNAPSHOT_MIGRATIONS: Readonly<Record<number, Migration>> = {};

export type MigrationResult = { ok: true; doc: SnapshotDoc } | { ok: false; reason: string };

/** Bring a parsed snapshot document to the current version, or say why it cannot be. */
export function migrateSnapshot(doc: SnapshotDoc, migrations: Readonly<Record<number, Migration>> = SNAPSHOT_MIGRATIONS, target = SNAPSHOT_VERSION): MigrationResult {
  if (doc.version > target) return { ok: false, reason: `snapshot version ${doc.version} is newer than this buran understands (${target}); upgrade buran` };
  let current = doc;
  while (current.version < target) {
    const step = migrations[current.version];
    if (step === undefined) return { ok: false, reason: `no migration from snapshot version ${current.version} to ${current.version + 1}` };
    const next = step(current);
    if (next.version !== current.version + 1) return { ok: false, reason: `migration from version ${current.version} did not produce version ${current.version + 1}` };
    current = next;
  }
  return { ok: true, doc: current };
}
