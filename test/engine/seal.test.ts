// The run's records are bound by digest to what the runner wrote: an edit made
// outside buran (a worker running with sandbox: none, a hand edit) makes every
// view blocked with evidence_tampered naming the file, and no driver acts on it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { crashPointsFrom } from '../../src/chaos/crashPoints.js';
import { sha256 } from '../../src/domain/hash.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects, type Script } from '../../src/engine/scriptedEffects.js';
import { checkSeal, digestOf, namedArtifacts } from '../../src/engine/seal.js';
import { createFileStore } from '../../src/store/fileStore.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const input: RunInput = {
  runId: 'r1',
  approvedHash: 'sha256:' + 'a'.repeat(64),
  tasks: [{ id: 'api', dependsOn: [], scope: ['src/api'] }],
  limits: DEFAULT_LIMITS,
};

function runnerAt(root: string, script: Script = {}, env: Record<string, string> = {}) {
  const store = createFileStore({ root, crash: crashPointsFrom(env, { kill: () => { throw new Error('killed here'); } }) });
  const runner = createRunner({
    store,
    locks: createMemoryLocks(),
    effectsFor: (runId) => {
      // Like the project's effects: the sandbox record is (re)written when a driver opens the run.
      writeFileSync(join(store.runDir(runId), 'sandbox.json'), '{"kind":"none","note":"unsandboxed: test"}\n');
      return createScriptedEffects(script);
    },
    sealedFiles: async (runId) => ({ 'sandbox.json': await readFile(join(store.runDir(runId), 'sandbox.json')).catch(() => null) }),
  });
  return { store, runner };
}

async function handedOff(script: Script | ((runDir: string) => Script) = {}) {
  const root = mkdtempSync(join(tmpdir(), 'buran-seal-'));
  roots.push(root);
  const dirOf = createFileStore({ root }).runDir('r1');
  const { store, runner } = runnerAt(root, typeof script === 'function' ? script(dirOf) : script);
  await runner.createRun({ runId: 'r1', record: { runId: 'r1', note: 'approved' }, input });
  const result = await runner.drive('r1');
  return { root, store, runner, result, dir: store.runDir('r1') };
}

const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n');

/** The state a reader resumes from: the base snapshot.json and, when there are any, the last line of its state log. */
function resumePoint(dir: string): { seq: number; digest: string; file: string } {
  const base = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { seq: number; snapshot: unknown };
  const file = `snapshot.${base.seq}.jsonl`;
  const state = existsSync(join(dir, file)) ? lines(join(dir, file)) : [];
  const last = state.at(-1);
  if (last === undefined) return { seq: base.seq, digest: digestOf(base.snapshot), file: 'snapshot.json' };
  return { seq: (JSON.parse(last) as { seq: number }).seq, digest: sha256(last), file };
}

describe('sealed run records', () => {
  it('chains every event to the one before and seals the state written after it and the records with the last event of each batch', async () => {
    const { runner, result, dir } = await handedOff();
    expect(result.status).toBe('handoff_ready');
    const raw = lines(join(dir, 'events.jsonl')).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (let i = 1; i < raw.length; i++) expect(raw[i]?.['prev']).toBe(digestOf(raw[i - 1]));
    const point = resumePoint(dir);
    expect(point.file).toBe('snapshot.0.jsonl');
    const sealed = raw.find((e) => e['seq'] === point.seq)?.['seal'] as { snapshot: string; files: Record<string, string> };
    expect(sealed.snapshot).toBe(point.digest);
    expect(Object.keys(sealed.files).sort()).toEqual(['run.json', 'sandbox.json']);
    expect((await runner.inspect('r1')).tampered).toBeNull();
  });

  it('an edited event (a FAIL turned into a PASS) makes status blocked with evidence_tampered naming the log; a driver then writes nothing', async () => {
    const { runner, dir } = await handedOff({ integrationVerification: (i) => (i.epoch === 1 ? 'FAIL' : 'PASS') });
    const file = join(dir, 'events.jsonl');
    const all = lines(file);
    const at = all.findIndex((l) => l.includes('"FAIL"'));
    expect(at).toBeGreaterThan(0);
    all[at] = (all[at] as string).replaceAll('"FAIL"', '"PASS"');
    writeFileSync(file, `${all.join('\n')}\n`);
    const view = await runner.inspect('r1');
    expect(view.status).toBe('blocked');
    expect(view.blocker?.code).toBe('evidence_tampered');
    expect(view.tampered?.details).toMatchObject({ file: 'events.jsonl' });
    expect(view.blocker?.message).toContain(`line ${at + 2} does not follow line ${at + 1}`);
    const before = readFileSync(file, 'utf8');
    const driven = await runner.drive('r1');
    expect(driven).toMatchObject({ status: 'blocked', appended: 0, blocker: { code: 'evidence_tampered' } });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('reordered event lines break the chain', async () => {
    const { runner, dir } = await handedOff();
    const file = join(dir, 'events.jsonl');
    const all = lines(file);
    all.splice(3, 2, all[4] as string, all[3] as string);
    // Renumbered so the store's own seq check passes: only the chain can tell.
    writeFileSync(file, `${all.map((l, i) => JSON.stringify({ ...(JSON.parse(l) as object), seq: i + 1 })).join('\n')}\n`);
    expect((await runner.inspect('r1')).tampered?.details).toMatchObject({ file: 'events.jsonl' });
  });

  it('an edited snapshot (its gates rewritten), state line (the last, or one before it), run.json or sandbox.json is named', async () => {
    const editLine = (t: string, at: number, edit: (line: Record<string, unknown>) => Record<string, unknown>) => {
      const all = t.trimEnd().split('\n');
      const i = at < 0 ? all.length + at : at;
      all[i] = JSON.stringify(edit(JSON.parse(all[i] as string) as Record<string, unknown>));
      return `${all.join('\n')}\n`;
    };
    for (const [name, edit] of [
      ['snapshot.json', (t: string) => JSON.stringify({ ...(JSON.parse(t) as object), snapshot: { ...(JSON.parse(t) as { snapshot: { context: object } }).snapshot, context: { ...(JSON.parse(t) as { snapshot: { context: object } }).snapshot.context, gates: [{ forged: true }] } } })],
      ['snapshot.0.jsonl', (t: string) => editLine(t, -1, (l) => ({ ...l, context: { ...(l['context'] as object), gates: [] } }))],
      ['snapshot.0.jsonl', (t: string) => editLine(t, 2, (l) => ({ ...l, root: { ...(l['root'] as object), value: 'edited' } }))],
      ['run.json', (t: string) => t.replace('approved', 'approved by nobody')],
      ['sandbox.json', () => '{"kind":"bwrap","note":"bwrap (forged)"}\n'],
    ] as const) {
      const { runner, dir } = await handedOff();
      const file = join(dir, name);
      const text = readFileSync(file, 'utf8');
      const changed = edit(text);
      expect(changed, name).not.toBe(text);
      writeFileSync(file, changed);
      const view = await runner.inspect('r1');
      expect(view.blocker?.code, name).toBe('evidence_tampered');
      expect(view.tampered?.details['file'], name).toBe(name);
    }
  });

  it('a record changed while the run is driven (as an unsandboxed worker could) makes the drive itself end blocked', async () => {
    const { result } = await handedOff((dir) => ({
      worker: (i) => {
        writeFileSync(join(dir, 'run.json'), '{"runId":"r1","note":"approved by the worker"}\n');
        return { kind: 'completion', status: 'completed', digest: `d-${i.attempt.attemptId}`, summary: 'ok', changedFiles: [], usage: null };
      },
    }));
    expect(result.status).toBe('blocked');
    expect(result.tampered?.details['file']).toBe('run.json');
    expect(result.tampered?.details['reason']).toBe('changed while the run was driven');
  });

  it('a sealed record that disappears is named as missing', async () => {
    const { runner, dir } = await handedOff();
    rmSync(join(dir, 'sandbox.json'));
    const details = (await runner.inspect('r1')).tampered?.details;
    expect(details?.['file']).toBe('sandbox.json');
    expect(String(details?.['reason'])).toContain('missing');
  });

  it('a creation snapshot swapped before the first snapshot write is caught by the digest event 1 names', async () => {
    const root = mkdtempSync(join(tmpdir(), 'buran-seal-'));
    roots.push(root);
    // The driver dies after its first append, before any snapshot: the creation snapshot (seq 0) is the resume point.
    const dying = runnerAt(root, {}, { BURAN_CRASH_AT: 'events.after-append:1' });
    await dying.runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    await dying.runner.drive('r1').catch(() => undefined);
    const file = join(dying.store.runDir('r1'), 'snapshot.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { seq: number; snapshot: { context: { limits: Record<string, unknown> } } };
    if (doc.seq !== 0) return expect.unreachable(`expected the creation snapshot, got seq ${doc.seq}`);
    const fresh = runnerAt(root);
    expect((await fresh.runner.inspect('r1')).tampered).toBeNull();
    doc.snapshot.context.limits = { ...doc.snapshot.context.limits, forged: true };
    writeFileSync(file, JSON.stringify(doc));
    expect((await fresh.runner.inspect('r1')).tampered?.details).toMatchObject({ file: 'snapshot.json' });
  });

  it('a driver killed between the append and the snapshot resumes without a false alarm, and the resumed run stays sealed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'buran-seal-'));
    roots.push(root);
    const dying = runnerAt(root, {}, { BURAN_CRASH_AT: 'events.after-append:4' });
    await dying.runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input });
    await dying.runner.drive('r1').catch(() => undefined);
    const next = runnerAt(root);
    expect((await next.runner.inspect('r1')).tampered).toBeNull();
    expect((await next.runner.drive('r1')).status).toBe('handoff_ready');
    expect((await next.runner.inspect('r1')).tampered).toBeNull();
  });
});

describe('checkSeal', () => {
  it('does not check a log written before runs were sealed (no prev anywhere)', () => {
    expect(checkSeal({ snapshotSeq: 1, snapshotDigest: digestOf({}), events: [{ seq: 1 }], files: { 'run.json': {} } })).toBeNull();
  });

  it('a chained log whose first line lost its prev is broken', () => {
    const first = { seq: 1 };
    expect(checkSeal({ snapshotSeq: 0, snapshotDigest: digestOf({}), events: [first, { seq: 2, prev: digestOf(first) }], files: {} })?.file).toBe('events.jsonl');
  });

  it('a record present now that the seal does not name is reported', () => {
    const snapshot = { a: 1 };
    const first = { seq: 1, prev: digestOf({}), seal: { snapshot: digestOf(snapshot), files: {} } };
    expect(checkSeal({ snapshotSeq: 1, snapshotDigest: digestOf(snapshot), events: [first], files: { 'sandbox.json': new Uint8Array([1]) } })).toMatchObject({ file: 'sandbox.json' });
    expect(checkSeal({ snapshotSeq: 1, snapshotDigest: digestOf(snapshot), events: [first], files: { 'sandbox.json': null } })).toBeNull();
  });

  it('names the artifacts the records rely on: the approved packet copy and every evidence reference, however deep; not completion digests or other hashes', () => {
    const h = (c: string) => `sha256:${c.repeat(64)}`;
    const record = { approval: { by: 't', at: 'x', hash: h('a') } };
    const snapshot = {
      context: { gates: [{ evidence: [{ kind: 'command', hash: h('b'), label: 'verify[0]' }] }], approvedHash: h('f') },
      children: { 'task:api': { snapshot: { context: { history: [{ gate: { evidence: [{ kind: 'review', hash: h('c'), label: 'agent reviewer' }] }, completion: { kind: 'completion', digest: h('d') } }] } } } },
    };
    expect(namedArtifacts(record, snapshot)).toEqual([h('a'), h('b'), h('c')]);
    expect(namedArtifacts(null, {})).toEqual([]);
  });
});
