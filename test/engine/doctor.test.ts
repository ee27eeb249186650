// buran doctor's checks on a real file store: what every reader checks, plus
// what only the doctor reads (every stored artifact, the index against the
// folders), and --fix moving what it cannot prove aside without deleting it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { sha256 } from '../../src/domain/hash.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { diagnose, fixDoctor } from '../../src/engine/doctor.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { createFileStore } from '../../src/store/fileStore.js';
import { acquireRunLock } from '../../src/store/runLock.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const input = (runId: string): RunInput => ({ runId, approvedHash: 'sha256:' + 'a'.repeat(64), tasks: [{ id: 'api', dependsOn: [], scope: [`src/${runId}`] }], limits: DEFAULT_LIMITS });

/** A store with handed-off runs `ids` (scripted effects, real files). */
async function storeWith(...ids: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'buran-doctor-'));
  roots.push(root);
  const store = createFileStore({ root });
  const runner = createRunner({ store, locks: createMemoryLocks(), effectsFor: () => createScriptedEffects({}) });
  for (const runId of ids) {
    const packetCopy = `{"id":"p-${runId}"}`;
    const at = '2026-01-01T00:00:00.000Z';
    const record = { schema: 'buran.run/v1', runId, packetId: `p-${runId}`, packetFile: '/nowhere/packet.json', approval: { by: 't', at, hash: sha256(packetCopy) }, createdAt: at };
    await runner.createRun({ runId, record, input: input(runId) });
    await store.putArtifact(runId, packetCopy);
    expect((await runner.drive(runId)).status).toBe('handoff_ready');
  }
  const src = { root, storeDir: store.storeDir, workspace: { runLeftovers: () => Promise.resolve({ worktrees: [], branches: [] }) }, scopes: { listScopeLocks: () => Promise.resolve([]) } };
  return { root, store, runner, src };
}

describe('buran doctor (library)', () => {
  it('checks every stored artifact, also one no record names (which no reader would look at)', async () => {
    const { store, runner, src } = await storeWith('r1');
    const hash = await store.putArtifact('r1', 'an output nobody references');
    writeFileSync(join(store.runDir('r1'), 'artifacts', hash.slice(7)), 'changed');
    expect((await runner.inspect('r1')).blocker).toBeNull();
    const report = await diagnose(src);
    expect(report.needsFix).toBe(true);
    expect(report.runs[0]).toMatchObject({ verdict: 'unprovable', problems: [{ file: `artifacts/${hash.slice(7)}`, code: 'evidence_tampered' }] });
  });

  it('a link or FIFO planted in place of an artifact is reported, never followed or waited on (status and doctor both return)', async () => {
    const { store, runner, src } = await storeWith('r1', 'r2');
    const packetOf = async (runId: string) => ((await store.readRecord(runId)) as { approval: { hash: string } }).approval.hash.slice(7);
    const fifo = join(store.runDir('r1'), 'artifacts', await packetOf('r1'));
    rmSync(fifo);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const link = join(store.runDir('r2'), 'artifacts', await packetOf('r2'));
    rmSync(link);
    symlinkSync('/dev/zero', link);
    expect((await runner.inspect('r1')).blocker).toMatchObject({ code: 'evidence_tampered', details: { file: `artifacts/${await packetOf('r1')}` } });
    expect((await runner.inspect('r2')).blocker).toMatchObject({ code: 'evidence_tampered', details: { file: `artifacts/${await packetOf('r2')}` } });
    const report = await diagnose(src);
    expect(report.runs.map((r) => r.verdict)).toEqual(['unprovable', 'unprovable']);
  });

  it('a run whose sealed record changed is unprovable (evidence_tampered); --fix moves it to quarantine with its reason and every file, and rebuilds the index without it', async () => {
    const { store, src } = await storeWith('r1', 'r2');
    const path = join(store.runDir('r2'), 'run.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"by": "t"', '"by": "someone else"'));
    const files = readdirSync(store.runDir('r2')).sort();
    const report = await diagnose(src);
    expect(report.runs.map((r) => [r.runId, r.verdict])).toEqual([['r1', 'proven'], ['r2', 'unprovable']]);
    expect(report.runs[1]?.problems[0]).toMatchObject({ file: 'run.json', code: 'evidence_tampered' });
    expect(existsSync(store.runDir('r2'))).toBe(true); // diagnosing changes nothing

    const fix = await fixDoctor(src, report, () => 1_700_000_000_000);
    const to = join(store.storeDir, 'quarantine', 'r2');
    expect(fix.quarantined).toEqual([{ runId: 'r2', to }]);
    expect(readdirSync(to).sort()).toEqual([...files, 'reason.json'].sort());
    expect(JSON.parse(readFileSync(join(to, 'reason.json'), 'utf8'))).toMatchObject({ schema: 'buran.quarantine/v1', runId: 'r2', problems: [{ file: 'run.json', code: 'evidence_tampered' }] });
    expect((await store.listRuns()).map((r) => r.runId)).toEqual(['r1']);
    expect(fix.indexMovedTo).toBe(join(store.storeDir, 'runs.json.replaced-1700000000000'));
    expect((await diagnose(src)).needsFix).toBe(false);
  });

  it('an index that lists a run with no folder and misses one that has a folder is stale; --fix lists exactly the folders, entries written as creating a run writes them', async () => {
    const { store, src } = await storeWith('r1', 'r2');
    const index = join(store.storeDir, 'runs.json');
    const doc = JSON.parse(readFileSync(index, 'utf8')) as { runs: Record<string, unknown> };
    const created = doc.runs['r2'];
    delete doc.runs['r2'];
    doc.runs['ghost'] = { runId: 'ghost', packetId: 'x', createdAt: 'x', status: 'created', updatedAt: 'x' };
    writeFileSync(index, JSON.stringify(doc));
    const report = await diagnose(src);
    expect(report.index).toMatchObject({ state: 'ok', unlisted: ['r2'], stale: ['ghost'] });
    await fixDoctor(src, report);
    const rebuilt = JSON.parse(readFileSync(index, 'utf8')) as { runs: Record<string, { createdAt: string; status: string; packetId: string }>; snapshots: Record<string, string> };
    expect(Object.keys(rebuilt.runs).sort()).toEqual(['r1', 'r2']);
    expect(rebuilt.runs['r2']).toMatchObject({ packetId: 'p-r2', createdAt: '2026-01-01T00:00:00.000Z', status: (created as { status: string }).status });
    expect(Object.keys(rebuilt.snapshots).sort()).toEqual(['r1', 'r2']);
  });

  it('a run a live process drives is neither checked nor moved, even when its files look broken', async () => {
    const { store, src } = await storeWith('r1');
    const lock = await acquireRunLock(store.runDir('r1'));
    try {
      writeFileSync(join(store.runDir('r1'), 'events.jsonl'), '');
      const report = await diagnose(src);
      expect(report.runs[0]).toMatchObject({ verdict: 'driven', lockHolderPid: process.pid });
      expect(report.needsFix).toBe(false);
      expect((await fixDoctor(src, report)).quarantined).toEqual([]);
      expect(existsSync(store.runDir('r1'))).toBe(true);
    } finally {
      await lock.release();
    }
  });
});
