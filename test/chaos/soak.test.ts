// Family 2: SIGKILL `buran run` at random moments during multi-task runs
// with parallel workers and fix rounds, run it again, and again, until the
// run finishes; then the same checks as for the crash points, against an
// uninterrupted run of the same packet. At least 200 kills in the full run,
// 20 in CI. CHAOS_SEED=<n> replays a sequence of kill times.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacketInput } from '../../src/domain/packet.js';
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
  sleep,
  startCli,
  status,
  survivorsAfter,
  tagFor,
} from './support/harness.js';

afterAll(cleanup);

const KILLS = FULL ? 200 : 20;
/** Kills per run before it is allowed to finish. */
const KILLS_PER_RUN = 8;
const SEED = Number(process.env['CHAOS_SEED'] ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so a failing sequence can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Variant {
  readonly name: string;
  readonly packet: (tag: string, markers: string) => PacketInput;
}

const VARIANTS: readonly Variant[] = [
  { name: 'a∥b, c after a, b fixed once (concurrency 2)', packet: (tag, markers) => multiTaskPacket(tag, markers, 100) },
  {
    name: 'four tasks, two fixed once (concurrency 3)',
    packet: (tag, markers) =>
      chaosPacket({ tag, markers, sleepMs: 100, tasks: ['p', 'q', 'r', { id: 's', dependsOn: ['p', 'q'] }], bad: ['q', 's'], limits: { concurrency: 3 } }),
  },
];

const baselines = new Map<string, RunFacts>();

beforeAll(async () => {
  for (const v of VARIANTS) {
    const repo = makeRepo();
    const markers = join(repo, 'markers');
    const runId = await approve(repo, v.packet(tagFor('soak-baseline'), markers));
    const r = await cli(repo, ['run', '--run', runId, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const base = await facts(repo, runId, markers);
    expect(base.status?.status).toBe('handoff_ready');
    baselines.set(v.name, base);
  }
});

describe('random kill soak', () => {
  it(`survives ${KILLS} SIGKILLs at random moments (seed ${SEED}) with nothing lost or done twice`, async () => {
    const random = seeded(SEED);
    let kills = 0;
    let runs = 0;
    const started = Date.now();
    while (kills < KILLS) {
      const variant = VARIANTS[runs % VARIANTS.length] as Variant;
      runs += 1;
      let killsHere = 0;
      await counted(
        'random kill soak',
        `run ${runs} (${variant.name})`,
        async () => {
          const repo = makeRepo();
          const markers = join(repo, 'markers');
          const runId = await approve(repo, variant.packet(tagFor(`soak-${runs}`), markers));
          for (let invocation = 1; ; invocation++) {
            const p = startCli(repo, ['run', '--run', runId, '--json']);
            if (killsHere < KILLS_PER_RUN && kills < KILLS) {
              const delay = 50 + Math.floor(random() * 1000);
              const ended = await Promise.race([p.done, sleep(delay).then(() => null)]);
              if (ended === null) {
                process.kill(p.pid, 'SIGKILL');
                const r = await p.done;
                // Killed, or it had just finished on its own: either way it must not have failed.
                if (r.signal === 'SIGKILL') {
                  killsHere += 1;
                  kills += 1;
                  continue;
                }
                expect(r.code, r.stderr).toBe(0);
                break;
              }
              expect(ended.code, `invocation ${invocation}: ${ended.stderr}`).toBe(0);
              break;
            }
            const r = await p.done;
            if (r.code !== 0) throw new Error(`final invocation ${invocation} exited ${r.code}: ${r.stdout.slice(-3000)}\n${r.stderr}\nstatus: ${JSON.stringify((await status(repo, runId)).json?.blocker)}`);
            break;
          }
          const got = await facts(repo, runId, markers);
          expectSameAsBaseline(got, baselines.get(variant.name) as RunFacts);
          expect(got.events.filter((e) => e.type === 'lock_takeover').length, 'one takeover per kill that left a lock').toBeLessThanOrEqual(killsHere);
          expect(await survivorsAfter(repo)).toEqual([]);
        },
        () => ({ kills: killsHere }),
      );
    }
    process.stdout.write(`random kill soak: ${kills} kills over ${runs} runs, seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    expect(kills).toBeGreaterThanOrEqual(KILLS);
  });
});
