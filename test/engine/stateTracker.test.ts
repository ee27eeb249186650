// The state written as lines (only what changed) must compose back to exactly
// what xstate itself persists: checked after every change of a real run of the
// charts (many tasks, so the per-task maps are written entry by entry; a failed
// integration verification, so a fix round re-opens passed tasks), and through
// the runner on both stores (a new base written once the lines outgrow it).
import { createActor, type AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { composeState, lineText, stateDigest, type SnapshotDelta } from '../../src/domain/snapshotDelta.js';
import { bindEffects } from '../../src/engine/bindEffects.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects, type Script } from '../../src/engine/scriptedEffects.js';
import { StateTracker } from '../../src/engine/stateTracker.js';
import { loadStoredState } from '../../src/engine/storedState.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const inputOf = (runId: string, n: number): RunInput => ({
  runId,
  approvedHash: `sha256:${'a'.repeat(64)}`,
  tasks: Array.from({ length: n }, (_, i) => ({ id: `t${i}`, dependsOn: i >= 8 ? [`t${i - 8}`] : [], scope: [`src/t${i}/**`] })),
  limits: { ...DEFAULT_LIMITS, concurrency: 8, maxDispatches: 10 * n },
});

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** Drive the charts on scripted effects; after every change, take a line and check base + lines == xstate's own persisted snapshot. */
async function checkEveryChange(n: number, script: Script): Promise<{ lines: SnapshotDelta[]; entryLines: number; status: unknown }> {
  const machine = bindEffects(createScriptedEffects(script), { inert: false, onHook: () => undefined });
  const initial = createActor(machine, { input: inputOf('r1', n) }).getPersistedSnapshot() as Record<string, unknown>;
  const base = { seq: 0, snapshot: json(initial) as Record<string, unknown> };
  const restoredFrom = json(initial) as Record<string, unknown>;
  const tracker = new StateTracker(restoredFrom);
  const lines: SnapshotDelta[] = [];
  let prev = stateDigest(base.snapshot);
  let root: AnyActorRef | null = null;
  let pending = false;
  let mismatch: string | null = null;
  const check = () => {
    pending = false;
    if (root === null || mismatch !== null) return;
    const taken = tracker.take(root, 'r1', lines.length + 1, prev);
    taken.commit();
    lines.push(json(taken.line) as SnapshotDelta);
    prev = lineText(taken.line).digest;
    const composed = composeState(base, lines, stateDigest(base.snapshot));
    if (composed.chainBreak !== null) mismatch = composed.chainBreak.reason;
    else if (JSON.stringify(composed.snapshot) !== JSON.stringify(root.getPersistedSnapshot())) mismatch = `after line ${lines.length}`;
  };
  const actor = createActor(machine, {
    snapshot: restoredFrom as never,
    input: inputOf('r1', n),
    inspect: (ev) => {
      if (ev.type !== '@xstate.snapshot') return;
      tracker.touch(ev.actorRef, root);
      if (!pending) {
        pending = true;
        queueMicrotask(check);
      }
    },
  });
  root = actor;
  actor.start();
  let started = false;
  for (let i = 0; i < 5000 && actor.getSnapshot().status === 'active' && actor.getSnapshot().value !== 'blocked'; i++) {
    if (!started && JSON.stringify(actor.getSnapshot().value) === '{"active":"queued"}') {
      started = true;
      actor.send({ type: 'START' });
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  check();
  // Same comparison, key order aside: what a reader would restore.
  expect(mismatch).toBeNull();
  expect(json(composeState(base, lines, stateDigest(base.snapshot)).snapshot)).toEqual(json(actor.getPersistedSnapshot()));
  const status = actor.getSnapshot().status;
  actor.stop();
  return { lines, entryLines: lines.filter((l) => Object.keys(l.entries).length > 0).length, status };
}

describe('state lines', () => {
  it('write a large map entry by entry: changed, new and removed entries, and compose back to it', () => {
    const before: Record<string, unknown> = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, { n: i }]));
    const after: Record<string, unknown> = { ...before, t3: { n: -3 }, t100: { n: 100 } };
    delete after['t7'];
    const snap = { value: 'x', status: 'active', context: { m: after, small: 1 }, children: {} };
    const fake = { getSnapshot: () => snap, logic: { getPersistedSnapshot: (s: { context: unknown }) => ({ value: 'x', status: 'active', context: s.context, children: {} }) } } as unknown as AnyActorRef;
    const base = { value: 'x', status: 'active', context: { m: before, small: 1 }, children: {} };
    const { line } = new StateTracker(base).take(fake, 'r1', 1, stateDigest(base));
    expect(line.entries['m']).toEqual({ set: { t3: { n: -3 }, t100: { n: 100 } }, unset: ['t7'] });
    expect(line.context).toEqual({});
    expect(composeState({ seq: 0, snapshot: base }, [line], stateDigest(base)).snapshot).toEqual(snap);
  });

  it('compose to what xstate persists after every change of a 70-task run, with the per-task maps written entry by entry', async () => {
    const { lines, entryLines, status } = await checkEveryChange(70, {});
    expect(status).toBe('done');
    expect(lines.length).toBeGreaterThan(10);
    expect(entryLines).toBeGreaterThan(0);
    // Only what changed: no line carries the task list or every child.
    for (const line of lines) expect(Object.keys(line.context)).not.toContain('tasks');
    // (The run's end stops every child, which changes each one's persisted form once.)
    const active = lines.filter((l) => l.root['status'] === 'active');
    expect(Math.max(...active.map((l) => Object.keys(l.children).length))).toBeLessThanOrEqual(16);
  });

  it('compose to what xstate persists through an integration fix round (passed tasks re-opened) and retried attempts', async () => {
    let failures = 0;
    const { status } = await checkEveryChange(12, {
      integrationVerification: (i) => (i.epoch === 1 ? 'FAIL' : 'PASS'),
      taskVerification: () => (failures++ % 5 === 0 ? 'FAIL' : 'PASS'),
    });
    expect(status).toBe('done');
  });

  it('a run driven on the store resumes from its base and lines; past the base size the persister writes a new base', async () => {
    const store = createMemoryStore();
    const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => createScriptedEffects(), rebaseMinBytes: 16 * 1024 });
    await runner.createRun({ runId: 'big', record: { runId: 'big' }, input: inputOf('big', 120) });
    const result = await runner.drive('big');
    expect(result.status).toBe('handoff_ready');
    const stored = await loadStoredState(store, 'big');
    expect(stored?.point.base).toBeGreaterThan(0);
    expect(stored?.seq).toBe((await store.readEvents('big')).length);
    expect(stored?.point.chainBreak).toBeNull();
    expect((await runner.inspect('big')).status).toBe('handoff_ready');
  });

  it('a base snapshot changed while the run is driven is written again from the driver\'s state, and the drive says evidence_tampered', async () => {
    const store = createMemoryStore();
    const scripted = createScriptedEffects();
    let forged = false;
    // Stands in for a worker with the store in reach: it overwrites the base while its attempt runs.
    const effects = {
      ...scripted,
      async dispatchWorker(input: Parameters<typeof scripted.dispatchWorker>[0]) {
        if (!forged) {
          forged = true;
          await store.writeSnapshot('forged', { forged: true });
        }
        return scripted.dispatchWorker(input);
      },
    };
    const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => effects });
    await runner.createRun({ runId: 'forged', record: { runId: 'forged' }, input: inputOf('forged', 3) });
    const result = await runner.drive('forged');
    expect(forged).toBe(true);
    expect(result.blocker).toMatchObject({ code: 'evidence_tampered', details: { file: 'snapshot.json' } });
    const events = await store.readEvents('forged');
    expect(events.filter((e) => (e as { type: string }).type === 'state_rewritten')).toHaveLength(1);
    // The stored run reads back whole: the driver's state as the new base, sealed by the last event.
    const stored = await loadStoredState(store, 'forged');
    expect(stored?.point.base).toBe(events.length);
    expect(stored?.point.chainBreak).toBeNull();
    expect((await runner.inspect('forged')).status).toBe('handoff_ready');
    // Driven again on an intact base: nothing more is found.
    expect((await runner.drive('forged')).blocker).toBeNull();
  });
});
