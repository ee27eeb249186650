// Family 3: damaged store files and a full disk. Each damage must be detected
// with its stable code (store_corrupt and its reason) by both the driver
// (`buran run`) and an observer (`buran status`), and nothing may be reset,
// rebuilt or appended behind the operator's back. A torn final line is the
// one damage a crash legitimately leaves: it is moved aside, recorded, and the
// run goes on. ENOSPC on a durable write stops the driver without losing what
// was already durable; the next run continues to the same end.
import { existsSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FULL,
  type RunFacts,
  approve,
  chaosPacket,
  cleanup,
  cli,
  counted,
  expectSameAsBaseline,
  facts,
  makeRepo,
  multiTaskPacket,
  runDir,
  status,
  survivorsAfter,
  tagFor,
} from './support/harness.js';

afterAll(cleanup);

const FAMILY = 'store faults';
let baseline: RunFacts;

beforeAll(async () => {
  const repo = makeRepo();
  const markers = join(repo, 'markers');
  const runId = await approve(repo, multiTaskPacket(tagFor('store-baseline'), markers));
  expect((await cli(repo, ['run', '--run', runId])).code).toBe(0);
  baseline = await facts(repo, runId, markers);
});

/** A finished run (handoff-ready) to damage. */
async function finishedRun(): Promise<{ repo: string; runId: string; dir: string }> {
  const repo = makeRepo();
  const runId = await approve(repo, chaosPacket({ tag: tagFor('store'), markers: join(repo, 'markers'), sleepMs: 0, tasks: ['a', 'b'], limits: { concurrency: 2 } }));
  const r = await cli(repo, ['run', '--run', runId]);
  expect(r.code, r.stderr).toBe(0);
  return { repo, runId, dir: runDir(repo, runId) };
}

/** Every file of the run folder but the lock and attempts, with its bytes. */
function storeBytes(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    if (name === 'attempts' || name === 'artifacts' || name.startsWith('lock')) continue;
    if (statSync(join(dir, name)).isDirectory()) continue; // git-trust/: copies of the user's git config, not run state
    files.set(name, readFileSync(join(dir, name)).toString('base64'));
  }
  return files;
}

/**
 * `buran run` and `buran status` both refuse with store_corrupt (exit 3) and the given reason,
 * and the run folder is byte for byte what the damage left.
 */
async function expectDetected(repo: string, runId: string, dir: string, says: RegExp): Promise<void> {
  const before = storeBytes(dir);
  const driven = await cli(repo, ['run', '--run', runId]);
  expect(driven.code, driven.stderr).toBe(3);
  expect(driven.stderr).toContain('error [store_corrupt]');
  expect(driven.stderr).toMatch(says);
  const observed = await status(repo, runId);
  expect(observed.code, observed.stderr).toBe(3);
  expect(observed.stderr).toContain('error [store_corrupt]');
  expect(observed.stderr).toMatch(says);
  expect(storeBytes(dir), 'nothing rewritten, reset or appended').toEqual(before);
}

describe('store faults', () => {
  it('a torn final line (a cut append) is moved aside, recorded as torn_log, and the run ends as an uninterrupted one', async () => {
    await counted(FAMILY, 'torn final line', async () => {
      const repo = makeRepo();
      const markers = join(repo, 'markers');
      const runId = await approve(repo, multiTaskPacket(tagFor('torn'), markers));
      const crashed = await cli(repo, ['run', '--run', runId], { BURAN_CRASH_AT: 'dispatch.after-spawn:2' });
      expect(crashed.signal).toBe('SIGKILL');
      const dir = runDir(repo, runId);
      const torn = '{"runId":"' + runId + '","seq":';
      writeFileSync(join(dir, 'events.jsonl'), torn, { flag: 'a' });
      // An observer reads around the torn tail without repairing it.
      const observed = await status(repo, runId);
      expect(observed.json?.status, observed.stderr).toBe('running');
      expect(readFileSync(join(dir, 'events.jsonl'), 'utf8').endsWith(torn)).toBe(true);
      const again = await cli(repo, ['run', '--run', runId]);
      expect(again.code, again.stderr).toBe(0);
      const got = await facts(repo, runId, markers);
      expectSameAsBaseline(got, baseline);
      expect(got.events.filter((e) => e.type === 'torn_log')).toHaveLength(1);
      const moved = readdirSync(dir).filter((n) => n.startsWith('events.jsonl.torn-'));
      expect(moved).toHaveLength(1);
      expect(readFileSync(join(dir, moved[0] as string), 'utf8')).toBe(torn);
      expect(await survivorsAfter(repo)).toEqual([]);
    });
  });

  it('a corrupted middle line of the events log: store_corrupt, nothing changed', async () => {
    await counted(FAMILY, 'corrupted middle line', async () => {
      const { repo, runId, dir } = await finishedRun();
      const log = join(dir, 'events.jsonl');
      const lines = readFileSync(log, 'utf8').split('\n');
      lines[3] = '{"runId": "garbage", not json';
      writeFileSync(log, lines.join('\n'));
      await expectDetected(repo, runId, dir, /line 4 of the events log/);
    });
  });

  it.runIf(FULL)('an events line with a seq out of order: store_corrupt', async () => {
    await counted(FAMILY, 'seq out of order', async () => {
      const { repo, runId, dir } = await finishedRun();
      const log = join(dir, 'events.jsonl');
      const lines = readFileSync(log, 'utf8').split('\n');
      [lines[4], lines[5]] = [lines[5] as string, lines[4] as string];
      writeFileSync(log, lines.join('\n'));
      await expectDetected(repo, runId, dir, /line 5 of the events log has seq 6/);
    });
  });

  // The CI subset keeps one damaged-snapshot case; the full run tries all four.
  for (const [name, damage, reason] of [
    ['a zero-length snapshot', (file: string) => truncateSync(file, 0), /store file is empty/],
    ['a NUL-filled snapshot', (file: string) => writeFileSync(file, Buffer.alloc(4096)), /only NUL bytes/],
    ['a deleted snapshot (the registry says one was written)', (file: string) => rmSync(file), /snapshot is missing, but one was written/],
    ['a snapshot that is JSON of the wrong shape', (file: string) => writeFileSync(file, '{"schema": "buran.snapshot/v1"}\n'), /snapshot\.json does not match/],
  ] as const) {
    it.runIf(FULL || name.startsWith('a zero-length'))(`${name}: store_corrupt, never a fresh run`, async () => {
      await counted(FAMILY, name, async () => {
        const { repo, runId, dir } = await finishedRun();
        damage(join(dir, 'snapshot.json'));
        await expectDetected(repo, runId, dir, reason);
        expect(existsSync(join(dir, 'snapshot.json'))).toBe(!name.startsWith('a deleted'));
      });
    });
  }

  it('a deleted events log: store_corrupt, not an empty history', async () => {
    await counted(FAMILY, 'deleted events log', async () => {
      const { repo, runId, dir } = await finishedRun();
      rmSync(join(dir, 'events.jsonl'));
      await expectDetected(repo, runId, dir, /events log is missing/);
      expect(existsSync(join(dir, 'events.jsonl'))).toBe(false);
    });
  });

  it('snapshot and log disagreeing (the log lost events the snapshot includes): store_corrupt', async () => {
    await counted(FAMILY, 'snapshot ahead of the log', async () => {
      const { repo, runId, dir } = await finishedRun();
      const log = join(dir, 'events.jsonl');
      const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
      writeFileSync(log, `${lines.slice(0, lines.length - 5).join('\n')}\n`);
      await expectDetected(repo, runId, dir, /ends at seq \d+ but the snapshot includes seq/);
    });
  });

  it.runIf(FULL)('a deleted run registry next to recorded runs: store_corrupt', async () => {
    await counted(FAMILY, 'deleted registry', async () => {
      const { repo, runId, dir } = await finishedRun();
      rmSync(join(repo, '.buran', 'runs.json'));
      const driven = await cli(repo, ['run', '--run', runId]);
      expect(driven.code).toBe(3);
      expect(driven.stderr).toContain('error [store_corrupt]');
      expect(existsSync(join(repo, '.buran', 'runs.json')), 'the registry is not recreated empty').toBe(false);
      expect(existsSync(join(dir, 'snapshot.json'))).toBe(true);
    });
  });

  for (const point of ['events.mid-append', 'snapshot.mid-write'] as const) {
    it.runIf(FULL || point === 'events.mid-append')(`ENOSPC on ${point === 'events.mid-append' ? 'an events append (half written)' : 'a snapshot write'}: the driver stops with store_unwritable (exit 3), and the next run ends as an uninterrupted one`, async () => {
      await counted(FAMILY, `ENOSPC at ${point}`, async () => {
        const repo = makeRepo();
        const markers = join(repo, 'markers');
        const runId = await approve(repo, multiTaskPacket(tagFor('enospc'), markers));
        const failed = await cli(repo, ['run', '--run', runId], { BURAN_FAULT_AT: `${point}:4` });
        expect(failed.signal).toBeNull();
        expect(failed.code, failed.stderr).toBe(3);
        expect(failed.stderr).toContain('error [store_unwritable]');
        expect(failed.stderr).toContain('ENOSPC');
        // The lock was released on the way out: the next driver does not need a takeover.
        expect(existsSync(join(runDir(repo, runId), 'lock'))).toBe(false);
        const again = await cli(repo, ['run', '--run', runId]);
        expect(again.code, again.stderr).toBe(0);
        expectSameAsBaseline(await facts(repo, runId, markers), baseline);
        expect(await survivorsAfter(repo)).toEqual([]);
      });
    });
  }
});
