import { describe, expect, it } from 'vitest';
import { EventRecordSchema } from '../../src/domain/events.js';
import { RunRecordSchema } from '../../src/domain/runRecord.js';
import { SNAPSHOT_MIGRATIONS, SNAPSHOT_VERSION, migrateSnapshot, type SnapshotDoc } from '../../src/domain/snapshotDoc.js';

const hash = 'sha256:' + 'a'.repeat(64);

describe('event records', () => {
  it('accepts a transition event and rejects unknown fields or a zero seq', () => {
    const event = { seq: 1, ts: '2026-11-21T10:00:00.000Z', runId: 'r1', type: 'transition', from: '{"active":"queued"}', to: '{"active":"preflight"}', data: {} };
    expect(EventRecordSchema.safeParse(event).success).toBe(true);
    expect(EventRecordSchema.safeParse({ ...event, extra: 1 }).success).toBe(false);
    expect(EventRecordSchema.safeParse({ ...event, seq: 0 }).success).toBe(false);
  });
});

describe('run records', () => {
  const record = {
    schema: 'buran.run/v1',
    runId: 'fix-login-1',
    packetId: 'fix-login',
    packetFile: '/repo/packet.yaml',
    approval: { by: 'ana', at: '2026-11-21T10:00:00.000Z', hash },
    createdAt: '2026-11-21T10:00:00.000Z',
  };
  it('accepts a run record and rejects a run id that could escape the store', () => {
    expect(RunRecordSchema.safeParse(record).success).toBe(true);
    expect(RunRecordSchema.safeParse({ ...record, runId: '../x' }).success).toBe(false);
    expect(RunRecordSchema.safeParse({ ...record, approval: { ...record.approval, hash: 'md5:x' } }).success).toBe(false);
  });
});

describe('snapshot migration hook', () => {
  const doc = (version: number): SnapshotDoc => ({ schema: 'buran.snapshot/v1', version, runId: 'r', seq: 3, snapshot: { value: 'x' } });

  it('passes a current snapshot through unchanged', () => {
    expect(migrateSnapshot(doc(SNAPSHOT_VERSION))).toEqual({ ok: true, doc: doc(SNAPSHOT_VERSION) });
  });

  it('1 → 2: the per-task maps keyed by id become lists in the order of the task list, missing entries pending / null', () => {
    const tasks = [{ id: 'b' }, { id: 'constructor' }, { id: 'a' }];
    const v1: SnapshotDoc = {
      ...doc(1),
      snapshot: { value: 'x', context: { tasks, progress: { a: 'done', b: 'running' }, taskEpochs: { a: 2, b: 1 }, taskGates: { a: { epoch: 2, verification: 'PASS', review: 'PASS' } }, epoch: 2 }, children: {} },
    };
    const result = migrateSnapshot(v1, SNAPSHOT_MIGRATIONS, 2);
    expect(result).toEqual({
      ok: true,
      doc: {
        ...v1,
        version: 2,
        snapshot: {
          value: 'x',
          context: { tasks, progress: ['running', 'pending', 'done'], taskEpochs: [1, null, 2], taskGates: [null, null, { epoch: 2, verification: 'PASS', review: 'PASS' }], epoch: 2 },
          children: {},
        },
      },
    });
    // Not a run's snapshot (no task list): only renumbered.
    expect(migrateSnapshot(doc(1), SNAPSHOT_MIGRATIONS, 2)).toEqual({ ok: true, doc: doc(2) });
  });

  it('applies migrations step by step up to the target version', () => {
    const migrations = { 1: (d: SnapshotDoc) => ({ ...d, version: 2, snapshot: { ...d.snapshot, migrated: true } }) };
    const result = migrateSnapshot(doc(1), migrations, 2);
    expect(result).toEqual({ ok: true, doc: { ...doc(2), snapshot: { value: 'x', migrated: true } } });
  });

  it('refuses a snapshot newer than the code, or one with no migration path', () => {
    expect(migrateSnapshot(doc(5))).toMatchObject({ ok: false, reason: expect.stringContaining('newer') as string });
    expect(migrateSnapshot(doc(1), {}, 2)).toMatchObject({ ok: false, reason: expect.stringContaining('no migration') as string });
  });
});
