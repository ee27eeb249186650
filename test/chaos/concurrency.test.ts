// Family 5: several drivers at once. On one run exactly one drives and the
// others exit 5 (run_locked); two runs whose scopes overlap cannot both hold
// the conflict surface (lease_conflict naming the other run); a stopped lock
// holder (SIGSTOP) is alive, so nobody takes its run over.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  approve,
  chaosPacket,
  cleanup,
  cli,
  counted,
  events,
  expectHandoff,
  facts,
  makeRepo,
  status,
  startCli,
  survivorsAfter,
  tagFor,
  waitFor,
} from './support/harness.js';

afterAll(cleanup);

const FAMILY = 'concurrency';

const started = (markers: string) => () => existsSync(markers) && readdirSync(markers).length > 0;

describe('concurrency', () => {
  for (const n of [2, 4]) {
    it(`${n} drivers started at once on one run: exactly one drives (exit 0), the others exit 5, and the work is done once`, async () => {
      await counted(FAMILY, `${n} drivers at once`, async () => {
        const repo = makeRepo();
        const markers = join(repo, 'markers');
        const runId = await approve(repo, chaosPacket({ tag: tagFor(`drivers-${n}`), markers, sleepMs: 1500, tasks: ['a', 'b'], limits: { concurrency: 2 } }));
        const drivers = Array.from({ length: n }, () => startCli(repo, ['run', '--run', runId]));
        const results = await Promise.all(drivers.map((d) => d.done));
        const winner = results.find((r) => r.code !== 5);
        if (winner !== undefined) await expectHandoff(winner, repo, runId);
        const codes = results.map((r) => r.code).sort();
        expect(codes, results.map((r) => r.stderr).join('\n---\n')).toEqual([0, ...Array.from({ length: n - 1 }, () => 5)]);
        for (const r of results.filter((x) => x.code === 5)) expect(r.stderr).toContain('error [run_locked]');
        const got = await facts(repo, runId, markers);
        expect(got.status?.status).toBe('handoff_ready');
        expect(got.spawns).toEqual({ 'a.a1': 1, 'b.a1': 1 });
        expect(got.ingestions).toEqual({ 'a.a1': 1, 'b.a1': 1 });
        expect(got.events.filter((e) => e.type === 'lock_takeover')).toEqual([]);
        expect(await survivorsAfter(repo)).toEqual([]);
      });
    });
  }

  it('two runs with overlapping scope: the second blocks with lease_conflict naming the first, and runs once the first is done', async () => {
    await counted(FAMILY, 'overlapping scope', async () => {
      const repo = makeRepo();
      const markers = join(repo, 'markers');
      const first = await approve(repo, chaosPacket({ tag: tagFor('scope-1'), markers, sleepMs: 1500, id: 'first-work' }), 'first.json');
      const second = await approve(repo, chaosPacket({ tag: tagFor('scope-2'), markers: join(repo, 'markers-2'), sleepMs: 0, id: 'second-work' }), 'second.json');
      const driving = startCli(repo, ['run', '--run', first]);
      await waitFor('the first run\'s worker', started(markers), 30_000);
      const blocked = await cli(repo, ['run', '--run', second]);
      expect(blocked.code, blocked.stderr).toBe(3);
      const st = await status(repo, second);
      expect(st.json?.blocker?.code).toBe('lease_conflict');
      expect(JSON.stringify(st.json?.blocker)).toContain(first);
      expect((await driving.done).code).toBe(0);
      // The conflict surface is free again: retry reaches handoff.
      // Exit 4: unblocked, waiting to be driven.
      expect((await cli(repo, ['unblock', '--run', second, '--decision', 'retry', '--by', 'chaos', '--reason', 'first run done'])).code).toBe(0);
      expect((await cli(repo, ['run', '--run', second])).code).toBe(0);
      expect(await survivorsAfter(repo)).toEqual([]);
    });
  });

  it('a SIGSTOPped lock holder is not taken over (exit 5); after SIGCONT it finishes the run itself', async () => {
    await counted(FAMILY, 'SIGSTOPped holder', async () => {
      const repo = makeRepo();
      const markers = join(repo, 'markers');
      const runId = await approve(repo, chaosPacket({ tag: tagFor('stopped'), markers, sleepMs: 1000 }));
      const holder = startCli(repo, ['run', '--run', runId]);
      await waitFor('the worker', started(markers), 30_000);
      process.kill(holder.pid, 'SIGSTOP');
      try {
        for (let i = 0; i < 3; i++) {
          const contender = await cli(repo, ['run', '--run', runId]);
          expect(contender.code, contender.stderr).toBe(5);
          expect(contender.stderr).toContain('error [run_locked]');
        }
        // An observer still reads the run while its driver is stopped.
        const st = await status(repo, runId);
        expect(st.json?.status).toBe('running');
      } finally {
        process.kill(holder.pid, 'SIGCONT');
      }
      const r = await holder.done;
      expect(r.code, r.stderr).toBe(0);
      const evs = await events(repo, runId);
      expect(evs.filter((e) => e.type === 'lock_takeover')).toEqual([]);
      expect((await facts(repo, runId, markers)).spawns).toEqual({ 'alpha.a1': 1 });
      expect(await survivorsAfter(repo)).toEqual([]);
    });
  });
});
