import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScopeAcquireOutcome, createScopeLocks, overlappingPairs } from '../../src/workspace/scopeLocks.js';
import { tempDir } from './support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function store(): Promise<string> {
  const { dir, cleanup } = await tempDir('locks');
  cleanups.push(cleanup);
  return dir;
}

const fixedClock = (): number => Date.UTC(2025, 0, 2, 3, 4, 5);

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = execa(process.execPath, ['-e', '']);
  await child;
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

describe('scope locks', () => {
  it('refuses an overlapping scope and names the run that holds it', async () => {
    const locks = createScopeLocks({ storeDir: await store(), now: fixedClock });
    expect(await locks.acquireScope('run-a', ['src/api/**', 'docs/api.md'])).toEqual({ status: 'acquired' });
    expect(await locks.acquireScope('run-b', ['src/api/users.ts', 'src/web'])).toEqual({
      status: 'conflict',
      otherRun: 'run-a',
      overlapping: [{ ours: 'src/api/users.ts', theirs: 'src/api/**' }],
    });
    expect(await locks.acquireScope('run-c', ['src/web'])).toEqual({ status: 'acquired' });
    expect(await locks.listScopeLocks()).toEqual([
      { runId: 'run-a', scope: ['src/api/**', 'docs/api.md'], acquiredAt: '2025-01-02T03:04:05.000Z', pid: process.pid },
      { runId: 'run-c', scope: ['src/web'], acquiredAt: '2025-01-02T03:04:05.000Z', pid: process.pid },
    ]);
  });

  it('is idempotent for the same run and frees the scope on release', async () => {
    const dir = await store();
    const locks = createScopeLocks({ storeDir: dir });
    await locks.acquireScope('run-a', ['src']);
    const file = await readFile(join(dir, 'scope-locks.json'), 'utf8');
    expect(await locks.acquireScope('run-a', ['src'])).toEqual({ status: 'acquired' });
    expect(await readFile(join(dir, 'scope-locks.json'), 'utf8')).toBe(file);
    expect(await locks.acquireScope('run-b', ['src/x'])).toMatchObject({ status: 'conflict', otherRun: 'run-a' });

    expect(await locks.releaseScope('run-a')).toBe(true);
    expect(await locks.releaseScope('run-a')).toBe(false);
    expect(await locks.acquireScope('run-b', ['src/x'])).toEqual({ status: 'acquired' });
  });

  it('recoverStale drops only the runs the store knows are finished', async () => {
    const locks = createScopeLocks({ storeDir: await store() });
    await locks.acquireScope('done', ['a']);
    await locks.acquireScope('live', ['b']);
    const dropped = await locks.recoverStale(['done', 'unknown']);
    expect(dropped.map((entry) => entry.runId)).toEqual(['done']);
    expect((await locks.listScopeLocks()).map((entry) => entry.runId)).toEqual(['live']);
  });

  it('breaks a lock file left by a dead process, but waits for a live holder and then gives up with lease_conflict', async () => {
    const dir = await store();
    const lockFile = join(dir, 'scope-locks.json.lock');
    await writeFile(lockFile, JSON.stringify({ pid: await deadPid(), startTime: null, nonce: 'dead' }));
    // A breaker file left by a process that died inside its section is recovered too.
    await writeFile(`${lockFile}.break`, JSON.stringify({ pid: await deadPid(), startTime: null, nonce: 'dead2' }));
    const locks = createScopeLocks({ storeDir: dir, lock: { timeoutMs: 2_000 } });
    expect(await locks.acquireScope('run-a', ['src'])).toEqual({ status: 'acquired' });

    await writeFile(lockFile, JSON.stringify({ pid: process.pid, startTime: null, nonce: 'live' }));
    const impatient = createScopeLocks({ storeDir: dir, lock: { timeoutMs: 150 } });
    await expect(impatient.acquireScope('run-b', ['lib'])).rejects.toMatchObject({ code: 'lease_conflict' });
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ nonce: 'live' });

    // An empty lock file (holder died between create and write) is stale once it is old.
    await writeFile(lockFile, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile, old, old);
    expect(await impatient.acquireScope('run-b', ['lib'])).toEqual({ status: 'acquired' });
  });

  it('reports a corrupt lock table as store_corrupt', async () => {
    const dir = await store();
    await writeFile(join(dir, 'scope-locks.json'), '{"locks": [');
    await expect(createScopeLocks({ storeDir: dir }).acquireScope('r', ['a'])).rejects.toMatchObject({ code: 'store_corrupt' });
  });

  it('never lets two racing processes both acquire overlapping scopes, and loses no update', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/acquireScope.ts', import.meta.url));
    const race = async (dir: string, scopes: string[][]): Promise<ScopeAcquireOutcome[]> => {
      const startAt = String(Date.now() + 2_000);
      const runs = scopes.map((scope, i) =>
        execa(process.execPath, ['--import', 'tsx', fixture, dir, `run-${i}`, JSON.stringify(scope), startAt], { cwd: process.cwd() }),
      );
      return (await Promise.all(runs)).map((result) => JSON.parse(result.stdout) as ScopeAcquireOutcome);
    };

    const overlapping = await store();
    const contested = await race(overlapping, [['src/**'], ['src/a.ts'], ['src/a.ts', 'x'], ['src/*.ts'], ['src'], ['**/a.ts']]);
    const winners = contested.flatMap((outcome, i) => (outcome.status === 'acquired' ? [`run-${i}`] : []));
    expect(winners).toHaveLength(1);
    for (const outcome of contested) if (outcome.status === 'conflict') expect(outcome.otherRun).toBe(winners[0]);
    expect((await createScopeLocks({ storeDir: overlapping }).listScopeLocks()).map((e) => e.runId)).toEqual(winners);

    const disjoint = await store();
    const all = await race(disjoint, [['a'], ['b'], ['c'], ['d'], ['e'], ['f']]);
    expect(all.every((outcome) => outcome.status === 'acquired')).toBe(true);
    expect((await createScopeLocks({ storeDir: disjoint }).listScopeLocks()).map((e) => e.runId).sort()).toEqual(['run-0', 'run-1', 'run-2', 'run-3', 'run-4', 'run-5']);
  });
});

describe('overlappingPairs', () => {
  it('lists each pair of globs that overlap', () => {
    expect(overlappingPairs(['src/a', 'docs'], ['src/**/x.ts', 'docs/readme.md', 'lib'])).toEqual([
      { ours: 'src/a', theirs: 'src/**/x.ts' },
      { ours: 'docs', theirs: 'docs/readme.md' },
    ]);
  });
});
