// Family 1: SIGKILL at every named crash point (BURAN_CRASH_AT, src/chaos/crashPoints.ts),
// then `buran run` again without it: the run must end exactly as an
// uninterrupted run of the same packet does, with one worker and one intent per
// attempt id, each completion ingested once, a store that reads cleanly, and
// no process left behind.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_POINTS, type CrashPointName } from '../../src/chaos/crashPoints.js';
import {
  FULL,
  type RunFacts,
  approve,
  cleanup,
  cli,
  counted,
  expectHandoff,
  expectSameAsBaseline,
  facts,
  makeRepo,
  multiTaskPacket,
  survivorsAfter,
  tagFor,
} from './support/harness.js';

afterAll(cleanup);

/**
 * Which occurrences of each point are tried: the first everywhere; later ones in the full run.
 * For the store's own points, `mid` and `late` are taken from the uninterrupted baseline's
 * count of flushes (its sealed events), since how many transitions share a flush depends on
 * the machine's speed: a fixed number could lie past the end of a quick run.
 */
type Occurrence = number | 'mid' | 'late';
function occurrences(point: CrashPointName): Occurrence[] {
  if (!FULL) return [1];
  if (point === 'events.mid-append' || point === 'events.after-append' || point === 'snapshot.mid-write') return [1, 3, 'mid', 'late'];
  if (point === 'handoff.after-report') return [1];
  return [1, 2];
}

/** The baseline's flushes: every batch an uninterrupted run appends is followed by a snapshot, sealed in its last event. */
const flushes = (facts: RunFacts): number => facts.events.filter((e) => e.seal !== undefined).length;

function resolved(nth: Occurrence, n = flushes(baseline)): number {
  if (typeof nth === 'number') return nth;
  return nth === 'mid' ? Math.max(1, Math.floor(n / 2)) : Math.max(1, n - 2);
}

const CASES = CRASH_POINTS.flatMap((point) => occurrences(point).map((nth) => ({ point, nth })));

let baseline: RunFacts;

beforeAll(async () => {
  const repo = makeRepo();
  const tag = tagFor('baseline');
  const markers = join(repo, 'markers');
  const runId = await approve(repo, multiTaskPacket(tag, markers));
  const r = await cli(repo, ['run', '--run', runId, '--json']);
  expect(r.code, r.stderr).toBe(0);
  baseline = await facts(repo, runId, markers);
  // The baseline itself: a fix round for b, every task handed off.
  expect(baseline.status?.status).toBe('handoff_ready');
  expect(baseline.attempts).toEqual(['a.a1', 'b.a1', 'b.a2', 'c.a1']);
  expect(flushes(baseline)).toBeGreaterThan(6);
});

describe('crash points: SIGKILL at a durable boundary, then run again', () => {
  it.each(CASES)('$point (occurrence $nth): the rerun ends exactly as an uninterrupted run', async ({ point, nth: which }) => {
    const nth = resolved(which);
    await counted('crash points', `${point}:${which}`, async () => {
      let repo = makeRepo();
      let markers = join(repo, 'markers');
      let runId = await approve(repo, multiTaskPacket(tagFor(`${point}-${nth}`), markers));
      let crashed = await cli(repo, ['run', '--run', runId, '--json'], { BURAN_CRASH_AT: `${point}:${nth}` });
      if (typeof which === 'string' && crashed.signal === null && crashed.code === 0) {
        // A quick run shares transitions among fewer flushes than the baseline did, so its late flushes may not exist:
        // take mid / late from the flushes this very run made, and try once more on a fresh repository.
        const again = resolved(which, flushes(await facts(repo, runId, markers)));
        repo = makeRepo();
        markers = join(repo, 'markers');
        runId = await approve(repo, multiTaskPacket(tagFor(`${point}-${again}`), markers));
        crashed = await cli(repo, ['run', '--run', runId, '--json'], { BURAN_CRASH_AT: `${point}:${again}` });
      }
      // The point must have been reached: a run that finished by itself proves nothing.
      expect(crashed.signal, `${point}:${which} was not reached: exit ${crashed.code}\n${crashed.stderr}`).toBe('SIGKILL');

      await expectHandoff(await cli(repo, ['run', '--run', runId, '--json']), repo, runId);
      const got = await facts(repo, runId, markers);
      expectSameAsBaseline(got, baseline);
      expect(got.events.filter((e) => e.type === 'lock_takeover')).toHaveLength(1);
      expect(await survivorsAfter(repo)).toEqual([]);
    }, () => ({ kills: 1 }));
  });

  it.runIf(FULL)('two crashes in a row at the same point (the recovery itself is killed) still end as an uninterrupted run', async () => {
    for (const point of ['dispatch.after-intent', 'events.after-append', 'merge.after-merge'] as const) {
      await counted('crash points', `${point}:2x`, async () => {
        const repo = makeRepo();
        const tag = tagFor(`${point}-twice`);
        const markers = join(repo, 'markers');
        const runId = await approve(repo, multiTaskPacket(tag, markers));
        for (let i = 0; i < 2; i++) {
          const crashed = await cli(repo, ['run', '--run', runId, '--json'], { BURAN_CRASH_AT: `${point}:1` });
          expect(crashed.signal, `${point} crash ${i + 1} not reached: ${crashed.stderr}`).toBe('SIGKILL');
        }
        await expectHandoff(await cli(repo, ['run', '--run', runId, '--json']), repo, runId);
        expectSameAsBaseline(await facts(repo, runId, markers), baseline);
        expect(await survivorsAfter(repo)).toEqual([]);
      }, () => ({ kills: 2 }));
    }
  });

  it('an unknown crash point name is refused (exit 2), so a typo cannot turn a case into a silent pass', async () => {
    const repo = makeRepo();
    const runId = await approve(repo, multiTaskPacket(tagFor('typo'), join(repo, 'markers')));
    const r = await cli(repo, ['run', '--run', runId], { BURAN_CRASH_AT: 'dispatch.befor-intent' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('BURAN_CRASH_AT');
  });
});
