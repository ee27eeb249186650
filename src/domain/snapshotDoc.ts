import * as z from 'zod';

export const SNAPSHOT_SCHEMA_ID = 'buran.snapshot/v1';
/** Bump when the charts change shape in a way old snapshots cannot restore into; add a migration below. */
export const SNAPSHOT_VERSION = 2;

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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Version 1 → 2: the run's per-task maps keyed by task id (`progress`,
 * `taskEpochs`, `taskGates`) become lists in the order of its task list
 * (`pending` / null where a map had no entry). Anything else is kept as it is;
 * a snapshot that is not a run's (no task list) is only renumbered.
 */
export function perTaskLists(doc: SnapshotDoc): SnapshotDoc {
  const context = doc.snapshot['context'];
  const tasks = isRecord(context) && Array.isArray(context['tasks']) ? (context['tasks'] as unknown[]) : null;
  if (!isRecord(context) || tasks === null) return { ...doc, version: 2 };
  const ids = tasks.map((t) => (isRecord(t) && typeof t['id'] === 'string' ? t['id'] : ''));
  const listOf = (key: string, missing: unknown) => {
    const map = context[key];
    if (!isRecord(map)) return map;
    return ids.map((id) => (Object.hasOwn(map, id) ? map[id] : missing));
  };
  const next = { ...context, progress: listOf('progress', 'pending'), taskEpochs: listOf('taskEpochs', null), taskGates: listOf('taskGates', null) };
  return { ...doc, version: 2, snapshot: { ...doc.snapshot, context: next } };
}

/** Migrations from version N to N + 1, keyed by N: a chart change ships with its migration. */
export const SNAPSHOT_MIGRATIONS: Readonly<Record<number, Migration>> = { 1: perTaskLists };

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
