// Scope locks left behind by finished runs (a runner killed between the final
// snapshot and the release) are recovered when they are in a later run's way,
// and the recovery is recorded; a lock whose holder is not proven finished stands.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireScopeRecovering, runHoldsNoScope, runIsFinished } from '../../src/engine/staleScopes.js';
import { createScopeLocks } from '../../src/workspace/index.js';
import { agent, approvedRun, cleanup, makeRepo, packet } from './fixtures/project.js';

afterAll(cleanup);

describe('stale scope locks', () => {
  it('a finished run\'s leftover lock is dropped for an overlapping run, which reaches handoff and records the recovery', async () => {
    const repo = makeRepo();
    const first = await approvedRun(packet({ command: agent('ok') }), { repo });
    expect((await first.project.runner.drive(first.runId)).status).toBe('handoff_ready');
    // What a kill right after the final snapshot leaves behind: the finished run still listed as holding its scope.
    const scopes = createScopeLocks({ storeDir: first.project.storeDir });
    expect(await scopes.acquireScope(first.runId, ['src/alpha.txt'])).toEqual({ status: 'acquired' });

    const second = await approvedRun(packet({ id: 'later-work', command: agent('ok') }), { repo, name: 'packet2.json' });
    const result = await second.project.runner.drive(second.runId);
    expect(result.status).toBe('handoff_ready');
    const events = await second.project.runner.events(second.runId);
    const recovery = events.find((e) => e.data['recoveredScopeLocks'] !== undefined);
    expect(recovery?.to).toBe('active.implementing');
    expect(recovery?.data['recoveredScopeLocks']).toEqual([{ runId: first.runId, scope: ['src/alpha.txt'], acquiredAt: expect.any(String) as unknown }]);
    // The second run released its own scope at handoff; nothing is left.
    expect(await scopes.listScopeLocks()).toEqual([]);
  });

  it('a lock held by a run that is not known to the store is not taken over: lease_conflict names it', async () => {
    const repo = makeRepo();
    const run = await approvedRun(packet({ command: agent('ok') }), { repo });
    const scopes = createScopeLocks({ storeDir: run.project.storeDir });
    await scopes.acquireScope('ghost-run', ['src/**']);
    const result = await run.project.runner.drive(run.runId);
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('lease_conflict');
    expect(result.blocker?.details['otherRun']).toBe('ghost-run');
    expect((await scopes.listScopeLocks()).map((e) => e.runId)).toEqual(['ghost-run']);
  });

  it('runIsFinished is true only for a readable snapshot of a run in a final state', async () => {
    const done = { schema: 'buran.snapshot/v1', version: 1, runId: 'r', seq: 3, snapshot: { status: 'done', value: 'readyForReview' } };
    const active = { ...done, snapshot: { status: 'active', value: { active: 'implementing' } } };
    const read = (docs: Record<string, unknown>) => (id: string) => (id in docs ? Promise.resolve(docs[id]) : Promise.reject(new Error('ENOENT')));
    expect(await runIsFinished(read({ r: done }), 'r')).toBe(true);
    expect(await runIsFinished(read({ r: active }), 'r')).toBe(false);
    expect(await runIsFinished(read({ r: null }), 'r')).toBe(false);
    expect(await runIsFinished(read({ r: { garbage: true } }), 'r')).toBe(false);
    expect(await runIsFinished(read({}), 'r')).toBe(false);
  });

  it('runHoldsNoScope: a finished run, or a blocked one nobody drives; never a blocked run a driver holds, a paused one, or an unreadable one', async () => {
    const doc = (snapshot: unknown) => ({ schema: 'buran.snapshot/v1', version: 1, runId: 'r', seq: 3, snapshot });
    const read = (snapshot: unknown) => () => Promise.resolve(doc(snapshot));
    const blocked = { status: 'active', value: 'blocked' };
    const idle = () => Promise.resolve(false);
    const driven = () => Promise.resolve(true);
    expect(await runHoldsNoScope(read({ status: 'done', value: 'cancelled' }), driven, 'r')).toBe(true);
    expect(await runHoldsNoScope(read(blocked), idle, 'r')).toBe(true);
    expect(await runHoldsNoScope(read(blocked), driven, 'r')).toBe(false);
    expect(await runHoldsNoScope(read(blocked), () => Promise.reject(new Error('EACCES')), 'r')).toBe(false);
    expect(await runHoldsNoScope(read({ status: 'active', value: 'paused' }), idle, 'r')).toBe(false);
    expect(await runHoldsNoScope(read({ status: 'active', value: 'reclaiming' }), idle, 'r')).toBe(false);
    expect(await runHoldsNoScope(() => Promise.reject(new Error('ENOENT')), idle, 'r')).toBe(false);
  });

  it('a blocked run killed before it released its scope: the next overlapping run drops the entry once nobody drives it', async () => {
    const repo = makeRepo();
    const scopes = createScopeLocks({ storeDir: join(repo, '.buran') });
    await scopes.acquireScope('blocked-run', ['src/**']);
    const blockedDoc = { schema: 'buran.snapshot/v1', version: 1, runId: 'blocked-run', seq: 9, snapshot: { status: 'active', value: 'blocked' } };
    const readSnapshot = () => Promise.resolve(blockedDoc);
    const whileDriven = await acquireScopeRecovering(scopes, readSnapshot, 'later', ['src/a.txt'], () => Promise.resolve(true));
    expect(whileDriven.outcome).toMatchObject({ status: 'conflict', otherRun: 'blocked-run' });
    const undriven = await acquireScopeRecovering(scopes, readSnapshot, 'later', ['src/a.txt'], () => Promise.resolve(false));
    expect(undriven.outcome).toEqual({ status: 'acquired' });
    expect(undriven.recovered.map((e) => e.runId)).toEqual(['blocked-run']);
    expect((await scopes.listScopeLocks()).map((e) => e.runId)).toEqual(['later']);
  });
});
