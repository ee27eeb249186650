// The queue family: attempts carried by BullMQ over a real redis-server to
// worker agents that are real `buran worker` processes (separate --dir and
// HOME standing in for machines), a bare git remote, the chaos agent as the
// worker. The runner's side is the library's queue (openBullmqQueue).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/domain/config.js';
import { isBuranError } from '../../src/domain/errors.js';
import { ATTEMPT_JOB_SCHEMA_ID, ATTEMPT_QUEUE, type AttemptJob, attemptRef, jobIdOf } from '../../src/queue/attemptJob.js';
import { openBullmqQueue } from '../../src/queue/bullmqQueue.js';
import type { AttemptJobState, AttemptQueue } from '../../src/queue/port.js';
import { AGENT, FULL, cleanup, counted, git, sleep, startCli, survivors, survivorsAfter, tagFor } from './support/harness.js';
import { type RedisServer, startRedis } from './support/redisServer.js';
import { LOCK_MS, STALLED_MS, agent, stopAgents, until } from './support/queueAgents.js';

const FAMILY = 'queue';
/** The one case CHAOS_PROFILE=ci runs: the quickest, and the one that refuses before anything is queued. */
const runs = (ci: boolean): boolean => FULL || ci;

const servers: RedisServer[] = [];
const folders: string[] = [];
afterAll(async () => {
  await cleanup();
  for (const folder of folders) for (const { pid } of survivors(folder)) process.kill(pid, 'SIGKILL');
  for (const server of servers.splice(0)) await server.stop();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

interface Case {
  readonly root: string;
  readonly tag: string;
  readonly remote: string;
  readonly base: string;
  readonly markers: string;
  readonly redis: RedisServer;
  readonly queue: AttemptQueue;
}

/** A case's world: its folder, a durable Redis, a bare remote with one commit, a queue of its own. */
async function world(name: string): Promise<Case> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `buran-queue-${name}-`)));
  folders.push(root);
  const work = join(root, 'seed');
  mkdirSync(work);
  writeFileSync(join(work, 'README.md'), '# queue fixture\n');
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'fixture');
  const remote = join(root, 'remote.git');
  git(root, 'clone', '-q', '--bare', work, remote);
  const redis = await startRedis();
  servers.push(redis);
  return { root, tag: tagFor(name), remote, base: git(work, 'rev-parse', 'HEAD').trim(), markers: join(root, 'markers'), redis, queue: byAttemptId(await openBullmqQueue(redis.url)) };
}

/** Every job here belongs to one run: the queue asked by attempt id (its job id is the run's id and the attempt id). */
const RUN_ID = 'queue-run';
const jid = (attemptId: string) => jobIdOf(RUN_ID, attemptId);
function byAttemptId(queue: AttemptQueue): AttemptQueue {
  return { ...queue, find: (attemptId) => queue.find(jid(attemptId)), cancel: (attemptId) => queue.cancel(jid(attemptId)) };
}

function job(c: Case, attemptId: string, o: { readonly mode?: string; readonly sleepMs?: number } = {}): AttemptJob {
  const taskId = attemptId.split('.')[0] ?? attemptId;
  return {
    schema: ATTEMPT_JOB_SCHEMA_ID,
    runId: RUN_ID,
    taskId,
    attemptId,
    attempt: 1,
    epoch: 1,
    remote: c.remote,
    baseCommit: c.base,
    worker: { adapter: 'command', command: ['node', AGENT, o.mode ?? 'ok', `--tag=${c.tag}`, `--markers=${c.markers}`, `--sleep=${o.sleepMs ?? 300}`] },
    config: DEFAULT_CONFIG,
    // Unconfined, as the durability families run: the markers count worker pids as the host sees them.
    sandbox: { mode: 'none', network: true, writable: [] },
    prompt: { task: { id: taskId, title: `Write src/${taskId}.txt`, instructions: 'Write the file.', acceptance: [], scope: [`src/${taskId}.txt`] }, packet: { title: 'Queue work', goal: 'Exercise the queue.' }, findings: [] },
    timeoutMs: 120_000,
    heartbeatTimeoutMs: 10_000,
  };
}

const ended = (c: Case, attemptId: string, timeoutMs = 30_000) =>
  until(`attempt ${attemptId} to end`, async () => {
    const state = await c.queue.find(attemptId);
    return state.state === 'completed' || state.state === 'failed' ? state : null;
  }, timeoutMs);

const markerLines = (c: Case, attemptId: string): string[] => {
  const file = join(c.markers, attemptId);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
};

describe('attempts over the queue (BullMQ on redis-server)', () => {
  it.runIf(runs(true))('a Redis that does not keep what it acknowledged is refused, by the library and by buran worker', async () => {
    await counted(FAMILY, 'preflight refuses a non-durable Redis', async () => {
      const redis = await startRedis({ durable: false });
      servers.push(redis);
      const refused = await openBullmqQueue(redis.url).then(() => null, (error: unknown) => error);
      expect(isBuranError(refused) && refused.code).toBe('queue_not_durable');
      const message = refused instanceof Error ? refused.message : '';
      for (const setting of ['appendonly is no (set yes', 'appendfsync', 'maxmemory-policy is allkeys-lru (set noeviction']) expect(message).toContain(setting);
      const root = realpathSync(mkdtempSync(join(tmpdir(), 'buran-queue-refuse-')));
      folders.push(root);
      const r = await startCli(root, ['worker', '--queue', redis.url, '--dir', join(root, 'agent')]).done;
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('error [queue_not_durable]');
      expect(r.stderr).toContain('appendfsync always');
      // Nothing was written to it: no queue keys.
      const client = new Redis(redis.url);
      expect(await client.keys('bull:*')).toEqual([]);
      client.disconnect();
    });
  });

  it.runIf(runs(false))('six attempts on three agents: each started exactly once, each commit pushed to its attempt ref', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'six attempts, three agents', async () => {
      const c = await world('six');
      const agents = ['m1', 'm2', 'm3'].map((name) => agent(c, name, 3));
      for (const a of agents) await a.ready;
      const ids = ['a', 'b', 'c', 'd', 'e', 'f'].map((t) => `${t}.a1`);
      const startedAt = Date.now();
      for (const id of ids) expect(await c.queue.add(job(c, id, { sleepMs: 1_000 }))).toEqual({ added: true });
      // Adding again (a restarted runner) changes nothing.
      for (const id of ids) expect(await c.queue.add(job(c, id))).toEqual({ added: false });
      const results = new Map<string, AttemptJobState>();
      for (const id of ids) results.set(id, await ended(c, id));
      figures['sixAttemptsMs'] = Date.now() - startedAt;
      const readerConnection = new Redis(c.redis.url, { maxRetriesPerRequest: null });
      const reader = new Queue(ATTEMPT_QUEUE, { connection: readerConnection });
      const pickups: number[] = [];
      for (const id of ids) {
        const state = results.get(id);
        if (state?.state !== 'completed' || state.result === null) throw new Error(`${id}: ${JSON.stringify(state)}`);
        expect(markerLines(c, id)).toHaveLength(1);
        expect(state.result.outcome).toMatchObject({ kind: 'completion', status: 'completed', changedFiles: [`src/${id.split('.')[0]}.txt`] });
        expect(git(c.root, '--git-dir', c.remote, 'rev-parse', attemptRef(jid(id))).trim()).toBe(state.result.commit);
        expect(git(c.root, '--git-dir', c.remote, 'log', '-1', '--format=%(trailers:key=Buran-Attempt,valueonly)', attemptRef(jid(id))).trim()).toBe(id);
        expect(['m1', 'm2', 'm3']).toContain(state.result.agent);
        const j = await reader.getJob(jid(id));
        if (j?.processedOn !== undefined) pickups.push(j.processedOn - j.timestamp);
      }
      // Pickup with idle agents: one job at a time, from its add to a holder taking it (Redis's clock on both ends is the agents' and ours: one machine).
      const idle: number[] = [];
      for (const n of [1, 2, 3, 4, 5]) {
        const id = `p${n}.a1`;
        await c.queue.add(job(c, id, { sleepMs: 0 }));
        await ended(c, id);
        const j = await reader.getJob(jid(id));
        if (j?.processedOn !== undefined) idle.push(j.processedOn - j.timestamp);
      }
      figures['idlePickupMs'] = idle;
      await reader.close();
      readerConnection.disconnect();
      figures['agents'] = [...new Set([...results.values()].map((s) => (s.state === 'completed' ? s.result?.agent : null)))].sort();
      // With six jobs at nine free slots, each is taken as soon as it is added.
      figures['pickupMs'] = pickups.sort((x, y) => x - y);
      await c.queue.close();
      await stopAgents(agents);
      expect(await survivorsAfter(c.tag)).toEqual([]);
    }, () => figures);
    process.stdout.write(`queue figures: ${JSON.stringify(figures)}\n`);
  });

  it.runIf(runs(false))('kill -9 of an agent mid-attempt: the job fails as stalled, is never run again, and the orphaned worker is killed by the next agent in that folder', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'agent killed mid-attempt', async () => {
      const c = await world('kill');
      const doomed = agent(c, 'doomed');
      await c.queue.add(job(c, 'slow.a1', { sleepMs: 60_000 }));
      await until('the attempt to start', async () => ((await c.queue.find('slow.a1')).state === 'active' && markerLines(c, 'slow.a1').length === 1 ? true : null));
      const watcher = agent(c, 'watcher');
      await watcher.ready;
      const killedAt = Date.now();
      doomed.cli.child.kill('SIGKILL');
      const state = await ended(c, 'slow.a1');
      figures['noticeMs'] = Date.now() - killedAt;
      expect(state, watcher.log()).toMatchObject({ state: 'failed', stalled: true, agent: 'doomed' });
      // The worker outlived its agent (its supervisor is detached); the next agent in that folder ends it.
      const orphan = Number(markerLines(c, 'slow.a1')[0]);
      const again = startCli(c.root, ['worker', '--queue', c.redis.url, '--dir', doomed.dir, '--name', 'doomed-again'], { HOME: join(c.root, 'homes', 'doomed') });
      await until('the orphaned worker to be killed', () => Promise.resolve(isAlive(orphan) ? null : true), 15_000);
      await sleep(STALLED_MS * 3);
      expect(markerLines(c, 'slow.a1')).toHaveLength(1);
      expect((await c.queue.find('slow.a1')).state).toBe('failed');
      await c.queue.close();
      again.child.kill('SIGTERM');
      expect((await again.done).code).toBe(0);
      await stopAgents([watcher]);
      expect(await survivorsAfter(c.tag)).toEqual([]);
    }, () => figures);
    process.stdout.write(`queue figures: ${JSON.stringify(figures)}\n`);
  });

  it.runIf(runs(false))('an agent stopped past its lock, then resumed: its job failed as stalled, it pushes nothing and completes nothing, its attempt is gone', async () => {
    await counted(FAMILY, 'agent stopped past its lock', async () => {
      const c = await world('stop');
      const stopped = agent(c, 'stopped');
      const watcher = agent(c, 'watcher');
      await Promise.all([stopped.ready, watcher.ready]);
      // Only the agent to be stopped takes it: the watcher is busy with a job of its own first.
      await c.queue.add(job(c, 'busy.a1', { sleepMs: 20_000 }));
      await until('the watcher to take the busy job', async () => ((await c.queue.find('busy.a1')).state === 'active' ? true : null));
      const busy = await c.queue.find('busy.a1');
      const [held, other] = busy.state === 'active' && busy.agent === 'stopped' ? ['busy.a1', 'late.a1'] : ['late.a1', 'busy.a1'];
      await c.queue.add(job(c, 'late.a1', { sleepMs: 3_000 }));
      await until(`${held} to run on the stopped agent`, async () => {
        const s = await c.queue.find(held);
        return s.state === 'active' && s.agent === 'stopped' && markerLines(c, held).length === 1 ? true : null;
      });
      stopped.cli.child.kill('SIGSTOP');
      const state = await ended(c, held);
      expect(state, watcher.log()).toMatchObject({ state: 'failed', stalled: true, agent: 'stopped' });
      // The worker finished its work meanwhile (it is not stopped: it runs under its own supervisor).
      await until('the stopped agent\'s worker to write its completion', () => Promise.resolve(existsSync(join(stopped.dir, 'work', 'attempts', jid(held), 'out')) && markerLines(c, held).length === 1 ? true : null));
      await sleep(4_000);
      stopped.cli.child.kill('SIGCONT');
      await until('the resumed agent to give the job up', () => Promise.resolve(/attempt .*: (failed|killed)|lock/.test(stopped.log()) ? true : null), 30_000);
      await sleep(LOCK_MS);
      expect((await c.queue.find(held)).state).toBe('failed');
      expect(markerLines(c, held)).toHaveLength(1);
      expect(() => git(c.root, '--git-dir', c.remote, 'rev-parse', '--verify', '--quiet', attemptRef(jid(held)))).toThrow();
      expect(await survivorsAfter(join(stopped.dir, 'work'))).toEqual([]);
      await c.queue.cancel(other);
      await c.queue.close();
      await stopAgents([stopped, watcher]);
      process.stdout.write(`queue figures: stopped agent held ${held}; its log after SIGCONT: ${JSON.stringify(stopped.log().split('\n').slice(-6))}\n`);
    });
  });

  it.runIf(runs(false))('Redis restarted while an attempt runs and another waits: both complete once, nothing lost', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'redis restarted mid-attempt', async () => {
      const c = await world('restart');
      const a = agent(c, 'm1');
      await a.ready;
      await c.queue.add(job(c, 'first.a1', { sleepMs: 3_000 }));
      await until('the first attempt to start', async () => ((await c.queue.find('first.a1')).state === 'active' && markerLines(c, 'first.a1').length === 1 ? true : null));
      await c.queue.add(job(c, 'second.a1', { sleepMs: 200 }));
      const restartAt = Date.now();
      await c.redis.restart();
      figures['restartMs'] = Date.now() - restartAt;
      for (const id of ['first.a1', 'second.a1']) {
        const state = await ended(c, id, 60_000);
        if (state.state !== 'completed' || state.result === null) throw new Error(`${id}: ${JSON.stringify(state)}\n${a.log()}`);
        expect(markerLines(c, id)).toHaveLength(1);
        expect(git(c.root, '--git-dir', c.remote, 'rev-parse', attemptRef(jid(id))).trim()).toBe(state.result.commit);
      }
      await c.queue.close();
      await stopAgents([a]);
    }, () => figures);
    process.stdout.write(`queue figures: ${JSON.stringify(figures)}\n`);
  });

  it.runIf(runs(false))('cancel: a taken attempt is killed with its whole group, a waiting one is never handed out', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'cancel', async () => {
      const c = await world('cancel');
      // Not taken yet (no agent running): removed, and no agent ever starts it.
      await c.queue.add(job(c, 'early.a1'));
      await c.queue.cancel('early.a1');
      expect((await c.queue.find('early.a1')).state).toBe('absent');
      const a = agent(c, 'm1');
      await c.queue.add(job(c, 'held.a1', { mode: 'fork-hang', sleepMs: 0 }));
      await until('the attempt to start', async () => ((await c.queue.find('held.a1')).state === 'active' && markerLines(c, 'held.a1').length === 1 ? true : null));
      await sleep(300);
      const attemptProcesses = join(a.dir, 'work');
      expect(survivors(attemptProcesses).length).toBeGreaterThan(2);
      const cancelledAt = Date.now();
      await c.queue.cancel('held.a1');
      const state = await ended(c, 'held.a1').catch((error: unknown) => {
        throw new Error(`${String(error)}\n${a.log()}`);
      });
      figures['cancelMs'] = Date.now() - cancelledAt;
      expect(state).toMatchObject({ state: 'failed', stalled: false });
      // Supervisor, worker and its grandchildren (one ignores SIGTERM): none is left.
      expect(await survivorsAfter(attemptProcesses)).toEqual([]);
      figures['noProcessLeftMs'] = Date.now() - cancelledAt;
      expect(markerLines(c, 'early.a1')).toEqual([]);
      expect(() => git(c.root, '--git-dir', c.remote, 'rev-parse', '--verify', '--quiet', attemptRef(jid('held.a1')))).toThrow();
      await c.queue.close();
      await stopAgents([a]);
    }, () => figures);
    process.stdout.write(`queue figures: ${JSON.stringify(figures)}\n`);
  });
});

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '');
  } catch {
    return false;
  }
}

