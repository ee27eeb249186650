// A run stored before state lines existed (its whole state in snapshot.json,
// sealed by the digest of that snapshot) still loads, checks and drives on;
// the first flush of the new driver starts state lines on top of it.
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { SNAPSHOT_SCHEMA_ID, SNAPSHOT_VERSION } from '../../src/domain/snapshotDoc.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { digestOf } from '../../src/engine/seal.js';
import { loadStoredState } from '../../src/engine/storedState.js';
import { createFileStore } from '../../src/store/fileStore.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const input: RunInput = {
  runId: 'old',
  approvedHash: `sha256:${'a'.repeat(64)}`,
  tasks: [
    { id: 'a', dependsOn: [], scope: ['src/a/**'] },
    { id: 'b', dependsOn: ['a'], scope: ['src/b/**'] },
  ],
  limits: DEFAULT_LIMITS,
};

/** Version 1 kept the per-task values as maps keyed by task id (progress 'pending' and the others absent by default). */
function asVersion1(snapshot: Record<string, unknown>): Record<string, unknown> {
  const context = snapshot['context'] as { tasks: { id: string }[]; progress: unknown[]; taskEpochs: unknown[]; taskGates: unknown[] };
  const mapOf = (list: unknown[]) => Object.fromEntries(context.tasks.flatMap((t, i) => (list[i] === null ? [] : [[t.id, list[i]]])));
  return { ...snapshot, context: { ...context, progress: mapOf(context.progress), taskEpochs: mapOf(context.taskEpochs), taskGates: mapOf(context.taskGates) } };
}

/** Rewrite a run's state as the whole-snapshot format wrote it: snapshot.json holds everything, its event seals its digest. */
async function toWholeSnapshotFormat(root: string, version = SNAPSHOT_VERSION): Promise<void> {
  const store = createFileStore({ root });
  const dir = store.runDir('old');
  const composed = await loadStoredState(store, 'old');
  if (composed === null) throw new Error('no state');
  const file = join(dir, 'events.jsonl');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const last = JSON.parse(lines.at(-1) as string) as { seq: number; seal: { snapshot: string } };
  expect(last.seq).toBe(composed.seq); // the resume point is the last event, so only the last line changes
  const snapshot = version === 1 ? asVersion1(composed.snapshot) : composed.snapshot;
  last.seal.snapshot = digestOf(snapshot);
  lines[lines.length - 1] = JSON.stringify(last);
  writeFileSync(file, `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'snapshot.json'), `${JSON.stringify({ schema: SNAPSHOT_SCHEMA_ID, version, runId: 'old', seq: composed.seq, snapshot }, null, 2)}\n`);
  unlinkSync(join(dir, `snapshot.${composed.point.base}.jsonl`));
}

/** A run of `input` in a fresh file store, driven one step, then stored as the whole-snapshot format of `version`. */
async function storedOld(version = SNAPSHOT_VERSION) {
  const root = mkdtempSync(join(tmpdir(), 'buran-old-'));
  roots.push(root);
  const runner = () => createRunner({ store: createFileStore({ root }), locks: createMemoryLocks(), effectsFor: () => createScriptedEffects() });
  await runner().createRun({ runId: 'old', record: { runId: 'old' }, input });
  await runner().drive('old', { step: true });
  await toWholeSnapshotFormat(root, version);
  return { root, runner, dir: createFileStore({ root }).runDir('old') };
}

describe('a run stored as one whole snapshot', () => {
  it('loads without a false alarm, drives on to handoff, and from then on is written as state lines', async () => {
    const { runner, dir } = await storedOld();
    const before = await runner().inspect('old');
    expect(before.tampered).toBeNull();
    expect(before.status).not.toBe('handoff_ready');
    const seq = (JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { seq: number }).seq;
    const done = await runner().drive('old');
    expect(done.status).toBe('handoff_ready');
    expect(existsSync(join(dir, `snapshot.${seq}.jsonl`))).toBe(true);
    expect((await runner().inspect('old')).tampered).toBeNull();
  });

  it('stored at version 1 (per-task maps keyed by id): read migrated without a false alarm, driven to handoff, and written again at this version', async () => {
    const { runner, dir } = await storedOld(1);
    const stored = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { version: number; snapshot: { context: { progress: unknown } } };
    expect(stored.version).toBe(1);
    expect(Array.isArray(stored.snapshot.context.progress)).toBe(false);
    const before = await runner().inspect('old');
    expect(before.tampered).toBeNull();
    expect(before.snapshot.context.progress).toHaveLength(2);
    expect(before.status).not.toBe('handoff_ready');
    const done = await runner().drive('old');
    expect(done.status).toBe('handoff_ready');
    // The first flush wrote a whole snapshot at this version.
    const after = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { version: number; seq: number; snapshot: { context: { progress: unknown } } };
    expect(after.version).toBe(SNAPSHOT_VERSION);
    expect(after.seq).toBeGreaterThan(0);
    expect(Array.isArray(after.snapshot.context.progress)).toBe(true);
    expect((await runner().inspect('old')).tampered).toBeNull();
    expect((await runner().inspect('old')).snapshot.context.progress).toEqual(['done', 'done']);
  });

  it('an edited whole snapshot is still caught by its seal', async () => {
    const { runner, dir } = await storedOld();
    const path = join(dir, 'snapshot.json');
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { snapshot: { context: { approvedHash: string } } };
    doc.snapshot.context.approvedHash = `sha256:${'f'.repeat(64)}`;
    writeFileSync(path, JSON.stringify(doc));
    expect((await runner().inspect('old')).tampered?.details).toMatchObject({ file: 'snapshot.json' });
  });
});
