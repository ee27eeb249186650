// Family 4: workers that misbehave. Each run must end in its documented
// place (a blocker with the right code, or the documented derived outcome),
// record each outcome once, keep the runner's memory bounded whatever the
// worker prints, store only clean text, and leave no process behind.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PacketInput } from '../../src/domain/packet.js';
import {
  FULL,
  approve,
  chaosPacket,
  cleanup,
  cli,
  counted,
  events,
  makeRepo,
  peakRssKb,
  runDir,
  sleep,
  startCli,
  status,
  survivorsAfter,
  tagFor,
} from './support/harness.js';

afterAll(cleanup);

const FAMILY = 'worker faults';

interface Ran {
  readonly repo: string;
  readonly runId: string;
  readonly code: number | null;
  readonly stderr: string;
  readonly attemptDir: string;
  /** Peak resident set of the runner (VmHWM, kB), sampled until it exited. */
  readonly peakKb: number;
}

async function runWith(mode: string, o: { limits?: PacketInput['limits']; extraArgs?: readonly string[]; name: string }): Promise<Ran> {
  const repo = makeRepo();
  const tag = tagFor(o.name);
  const runId = await approve(
    repo,
    chaosPacket({ tag, markers: join(repo, 'markers'), mode, sleepMs: 0, limits: { maxAttempts: 1, maxFixRounds: 0, ...o.limits }, ...(o.extraArgs === undefined ? {} : { extraArgs: o.extraArgs }) }),
  );
  const p = startCli(repo, ['run', '--run', runId]);
  let peakKb = 0;
  let ended = false;
  void p.done.then(() => (ended = true));
  while (!ended) {
    peakKb = Math.max(peakKb, peakRssKb(p.pid) ?? 0);
    await sleep(20);
  }
  const r = await p.done;
  return { repo, runId, code: r.code, stderr: r.stderr, attemptDir: join(runDir(repo, runId), 'attempts', 'alpha.a1'), peakKb };
}

async function expectBlocked(ran: Ran, code: string): Promise<void> {
  expect(ran.code, ran.stderr).toBe(3);
  const st = await status(ran.repo, ran.runId);
  expect(st.json?.status).toBe('blocked');
  expect(st.json?.blocker?.code, JSON.stringify(st.json?.blocker)).toBe(code);
  const evs = await events(ran.repo, ran.runId);
  expect(evs.filter((e) => e.data['event'] === 'xstate.done.actor.awaitCompletion')).toHaveLength(1);
  expect(await survivorsAfter(ran.repo)).toEqual([]);
}

/** No /proc entry, or a zombie. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return ['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '');
  } catch {
    return true;
  }
}

function killRecord(ran: Ran): { reason: string; by: string } {
  return JSON.parse(readFileSync(join(ran.attemptDir, 'kill.json'), 'utf8')) as { reason: string; by: string };
}

describe('worker faults', () => {
  it('a hung worker: the wall deadline ends its group (worker_timeout), nothing survives', async () => {
    await counted(FAMILY, 'hang', async () => {
      const ran = await runWith('hang', { name: 'hang', limits: { taskTimeoutSec: 2 } });
      await expectBlocked(ran, 'worker_timeout');
      expect(killRecord(ran)).toMatchObject({ reason: 'wall', by: 'runner' });
    });
  });

  it('a worker that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    await counted(FAMILY, 'ignores SIGTERM', async () => {
      const ran = await runWith('ignore-term', { name: 'ignore-term', limits: { taskTimeoutSec: 2 } });
      await expectBlocked(ran, 'worker_timeout');
      expect(killRecord(ran).reason).toBe('wall');
    });
  });

  it('a hung worker that forked grandchildren (one ignores SIGTERM): none survive', async () => {
    await counted(FAMILY, 'forks grandchildren', async () => {
      const repo = makeRepo();
      const pidfile = join(repo, 'pids');
      const tag = tagFor('fork');
      const runId = await approve(repo, chaosPacket({ tag, markers: join(repo, 'markers'), mode: 'fork-hang', sleepMs: 0, extraArgs: [`--pidfile=${pidfile}`], limits: { maxAttempts: 1, taskTimeoutSec: 2 } }));
      const r = await cli(repo, ['run', '--run', runId]);
      expect(r.code).toBe(3);
      const pids = readFileSync(pidfile, 'utf8').trim().split(' ').map(Number);
      expect(pids).toHaveLength(3);
      expect(await survivorsAfter(tag)).toEqual([]);
      expect(await survivorsAfter(repo)).toEqual([]);
      for (const pid of pids) expect(gone(pid), `process ${pid} survived`).toBe(true);
    });
  });

  it('a worker that exits 0 without a completion: the command adapter derives "completed" from the exit status (documented), ingested once', async () => {
    await counted(FAMILY, 'exits 0 without a completion', async () => {
      const ran = await runWith('exit0', { name: 'exit0' });
      expect(ran.code, ran.stderr).toBe(0);
      const evs = await events(ran.repo, ran.runId);
      const ingested = evs.filter((e) => e.data['event'] === 'xstate.done.actor.awaitCompletion');
      expect(ingested).toHaveLength(1);
      expect(ingested[0]?.data['summary']).toBe('exited 0 (no completion file)');
    });
  });

  for (const [mode, what] of [
    ['malformed', 'a completion that is not JSON'],
    ['oversized', 'a 5 MiB completion'],
    ['wrong-shape', 'a completion with __proto__ and an unknown field'],
    ['other-attempt', 'a completion for another attempt'],
  ] as const) {
    it(`${what}: completion_invalid, recorded once`, async () => {
      await counted(FAMILY, what, async () => {
        const ran = await runWith(mode, { name: mode });
        await expectBlocked(ran, 'completion_invalid');
      });
    });
  }

  it('conflicting completions (a second, different file replaces the first): one outcome ingested, and the run does not hand off work the worker disowned', async () => {
    await counted(FAMILY, 'conflicting completions', async () => {
      const ran = await runWith('conflicting', { name: 'conflicting' });
      const evs = await events(ran.repo, ran.runId);
      expect(evs.filter((e) => e.data['event'] === 'xstate.done.actor.awaitCompletion')).toHaveLength(1);
      const st = await status(ran.repo, ran.runId);
      // Whichever file was read, a run that hands off must have ingested the final one ("failed" would block).
      if (st.json?.status === 'handoff_ready') throw new Error('handed off although the final completion says failed');
      expect(st.json?.status).toBe('blocked');
      expect(await survivorsAfter(ran.repo)).toEqual([]);
    });
  });

  const floodBytes = FULL ? 200 * 1024 * 1024 : 20 * 1024 * 1024;
  it(`${floodBytes / 1024 / 1024} MB of output without a newline: the runner's memory stays bounded, the run goes on`, async () => {
    await counted(FAMILY, `${floodBytes / 1024 / 1024} MB without a newline`, async () => {
      const quiet = await runWith('ok', { name: 'quiet' });
      expect(quiet.code).toBe(0);
      const ran = await runWith('flood', { name: 'flood', extraArgs: [`--bytes=${floodBytes}`] });
      expect(ran.code, ran.stderr).toBe(0);
      expect(statSync(join(ran.attemptDir, 'stdout.log')).size).toBe(floodBytes + 'END-OF-FLOOD'.length);
      // The runner never reads the output whole: its peak is within 64 MB of a run whose worker printed nothing.
      expect(ran.peakKb, `peak ${ran.peakKb} kB vs quiet ${quiet.peakKb} kB`).toBeLessThan(quiet.peakKb + 64 * 1024);
      expect(statSync(join(runDir(ran.repo, ran.runId), 'events.jsonl')).size).toBeLessThan(1024 * 1024);
      process.stdout.write(`flood: ${floodBytes} bytes printed; runner peak RSS ${ran.peakKb} kB (quiet run ${quiet.peakKb} kB)\n`);
    }, () => ({}));
  });

  it('NUL, invalid UTF-8 and ANSI escapes in output and summary: stored text is clean, status and report read', async () => {
    await counted(FAMILY, 'NUL / invalid UTF-8 / ANSI', async () => {
      const ran = await runWith('hostile-text', { name: 'hostile' });
      expect(ran.code, ran.stderr).toBe(0);
      const log = readFileSync(join(runDir(ran.repo, ran.runId), 'events.jsonl'), 'utf8');
      // eslint-disable-next-line no-control-regex -- the escapes are what must not be stored
      expect(log).not.toMatch(/\\u001b|\\u0000|\\u0007|\u001b|\u0000/);
      expect(log).toContain('hostile  summary with  NUL');
      const report = await cli(ran.repo, ['report', '--run', ran.runId]);
      expect(report.code).toBe(0);
      // eslint-disable-next-line no-control-regex -- same
      expect(report.stdout).not.toMatch(/[\u0000\u0007\u001b]/);
    });
  });
});
