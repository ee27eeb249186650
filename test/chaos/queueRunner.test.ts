// The queue family, runner side: `buran run` with a queue configured sends
// its attempts to real `buran worker` processes over a real redis-server,
// through a bare git remote, and ingests what comes back. Worker agents have
// their own --dir and HOME (standing in for machines); the chaos agent is the
// worker; verification runs on the runner as always.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { FULL, approve, chaosPacket, cleanup, cli, counted, expectHandoff, facts, git, makeRepo, runDir, sleep, startCli, survivors, survivorsAfter, tagFor, waitFor } from './support/harness.js';
import { agent, stopAgents } from './support/queueAgents.js';
import { type RedisServer, startRedis } from './support/redisServer.js';

const FAMILY = 'queue-runner';
const runs = (ci: boolean): boolean => FULL || ci;

const servers: RedisServer[] = [];
const folders: string[] = [];
const tags: string[] = [];
afterAll(async () => {
  await cleanup();
  for (const tag of tags) for (const { pid } of survivors(tag)) process.kill(pid, 'SIGKILL');
  for (const server of servers.splice(0)) await server.stop();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

interface World {
  /** The user's repository (runner side). */
  readonly repo: string;
  /** Where agents live (their folders and HOMEs). */
  readonly root: string;
  readonly remote: string;
  readonly redis: RedisServer;
  readonly tag: string;
  readonly markers: string;
  readonly env: Record<string, string>;
}

/** A repository whose config sends attempts to the queue, a bare remote cloned from it, a durable Redis. */
async function world(name: string, o: { readonly durable?: boolean; readonly sandbox?: 'none' | 'required' } = {}): Promise<World> {
  const repo = makeRepo();
  const root = realpathSync(mkdtempSync(join(tmpdir(), `buran-queue-runner-${name}-`)));
  folders.push(root);
  const remote = join(root, 'remote.git');
  git(root, 'clone', '-q', '--bare', repo, remote);
  writeFileSync(join(repo, '.buran', 'config.json'), `${JSON.stringify({ schema: 'buran.config/v1', sandbox: { mode: o.sandbox ?? 'none' }, queue: { remote } })}\n`);
  const redis = await startRedis(o.durable === undefined ? {} : { durable: o.durable });
  servers.push(redis);
  const tag = tagFor(`qr-${name}`);
  tags.push(tag);
  return { repo, root, remote, redis, tag, markers: join(repo, 'markers'), env: { BURAN_QUEUE_URL: redis.url } };
}

const markerLines = (w: World, attemptId: string): string[] => {
  const file = join(w.markers, attemptId);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
};

interface QueuedRecord {
  readonly attemptId: string;
  readonly baseCommit: string;
  readonly addedAt: number | null;
  readonly agent: string | null;
}
const queuedRecords = (w: World, runId: string): QueuedRecord[] => {
  const folder = join(runDir(w.repo, runId), 'queue');
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as QueuedRecord) : [];
};

/** How many times each attempt's job was added (job id = `<runId>.<attemptId>`, keyed here by the attempt id), from the queue's own event stream in Redis. */
async function addsPerJob(w: World): Promise<Record<string, number>> {
  const client = new Redis(w.redis.url);
  try {
    const entries = (await client.xrange('bull:buran-attempts:events', '-', '+')) as [string, string[]][];
    const adds: Record<string, number> = {};
    for (const [, fields] of entries) {
      const data: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) data[fields[i] ?? ''] = fields[i + 1] ?? '';
      const jobId = data['jobId'];
      if (data['event'] !== 'added' || jobId === undefined) continue;
      // A run id holds no dot: what follows the first one is the attempt id.
      const attemptId = jobId.slice(jobId.indexOf('.') + 1);
      adds[attemptId] = (adds[attemptId] ?? 0) + 1;
    }
    return adds;
  } finally {
    client.disconnect();
  }
}

/** The status JSON's agents (attempt id → worker agent) and the report's attempt table must name each queued attempt's agent. */
async function expectAgentsShown(w: World, runId: string, attemptIds: readonly string[]): Promise<Record<string, string>> {
  const st = await cli(w.repo, ['status', '--run', runId, '--json']);
  const agents = (JSON.parse(st.stdout) as { agents?: Record<string, string> }).agents ?? {};
  for (const id of attemptIds) expect(agents[id], `status agents: ${st.stdout.slice(0, 400)}`).toMatch(/^m\d$/);
  const report = await cli(w.repo, ['report', '--run', runId]);
  for (const id of attemptIds) expect(report.stdout).toMatch(new RegExp(`\\| ${id.replace('.', '\\.')} \\| [^|]*\\| m\\d \\|`));
  return agents;
}

describe('buran run through the queue (BullMQ on redis-server, buran worker agents)', () => {
  it.runIf(runs(true))('two tasks on one agent reach handoff; each attempt added and started once; status and report name the agent', async () => {
    await counted(FAMILY, 'two tasks, one agent', async () => {
      const w = await world('ci');
      // A 15 s lock: nothing here is killed, and at the 5 s lock a live agent starved at load 12 lost both its jobs once.
      const m1 = agent(w, 'm1', 2, 15_000);
      await m1.ready;
      const runId = await approve(w.repo, chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 100, tasks: ['a', 'b'], limits: { concurrency: 2 } }));
      const r = await cli(w.repo, ['run', '--run', runId], w.env);
      await expectHandoff(r, w.repo, runId);
      const got = await facts(w.repo, runId, w.markers);
      expect(got.spawns).toEqual({ 'a.a1': 1, 'b.a1': 1 });
      expect(got.ingestions).toEqual({ 'a.a1': 1, 'b.a1': 1 });
      expect(got.branchFiles).toEqual({ a: 'ok a.a1\n', b: 'ok b.a1\n' });
      expect(await addsPerJob(w)).toEqual({ 'a.a1': 1, 'b.a1': 1 });
      // Nothing ran on the runner's side: no supervisor records of the attempts there.
      expect(got.intents).toEqual([]);
      await expectAgentsShown(w, runId, ['a.a1', 'b.a1']);
      await stopAgents([m1]);
      expect(await survivorsAfter(w.tag)).toEqual([]);
    });
  });

  it.runIf(runs(false))('a Redis that could lose acknowledged jobs blocks the run at preflight, naming what to set; nothing is added', async () => {
    await counted(FAMILY, 'non-durable Redis blocks the run', async () => {
      const w = await world('nodurable', { durable: false });
      const runId = await approve(w.repo, chaosPacket({ tag: w.tag, markers: w.markers }));
      const r = await cli(w.repo, ['run', '--run', runId], w.env);
      expect(r.code, r.stderr).toBe(3);
      const st = JSON.parse((await cli(w.repo, ['status', '--run', runId, '--json'])).stdout) as { blocker: { code: string; message: string } | null };
      expect(st.blocker?.code).toBe('queue_not_durable');
      expect(st.blocker?.message).toContain('appendfsync');
      const client = new Redis(w.redis.url);
      expect(await client.keys('bull:*')).toEqual([]);
      client.disconnect();
    });
  });

  it.runIf(runs(false))("a packet with setup: each attempt's setup runs once on its agent, the worker sees what it made, and that is never in the attempt's commit", async () => {
    await counted(FAMILY, 'setup on the agent', async () => {
      const w = await world('setup');
      const m1 = agent(w, 'm1', 2, 15_000);
      await m1.ready;
      // Every setup appends where it ran: the agent's attempt worktrees, the runner's run worktree and verification checkouts.
      const setupLog = join(w.root, 'setup.log');
      const base = chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 100, tasks: ['a', 'b'], limits: { concurrency: 2 }, extraArgs: ['--require-file=setup-out.txt'] });
      // The worker is started through a script setup makes: it exists where attempts run (the agents' worktrees), never in
      // the runner's checkout, whose preflight therefore must not ask for the worker's files (the agents check their own).
      const [, agentScript, ...agentArgs] = base.worker.command ?? [];
      const packet = {
        ...base,
        worker: { ...base.worker, command: ['sh', 'run-agent.sh', ...agentArgs] },
        setup: [['sh', '-c', `echo "$PWD" >> '${setupLog}' && echo generated > setup-out.txt && printf '%s\\n' 'exec node ${agentScript ?? ''} "$@"' > run-agent.sh`]],
      };
      const runId = await approve(w.repo, packet);
      const r = await cli(w.repo, ['run', '--run', runId], w.env);
      await expectHandoff(r, w.repo, runId);
      const got = await facts(w.repo, runId, w.markers);
      // The workers found setup's file (else they complete failed and a second attempt follows).
      expect(got.spawns).toEqual({ 'a.a1': 1, 'b.a1': 1 });
      expect(got.branchFiles).toEqual({ a: 'ok a.a1\n', b: 'ok b.a1\n' });
      const ran = readFileSync(setupLog, 'utf8').split('\n').filter((l) => l !== '');
      const onAgent = ran.filter((l) => l.startsWith(join(m1.dir, 'work', 'worktrees')));
      expect(onAgent.map((l) => basename(l)).sort()).toEqual([`${runId}.a.a1`, `${runId}.b.a1`]);
      // The attempts' commits hold the task files only; the run branch never gets setup's output.
      for (const task of ['a', 'b']) {
        expect(git(w.root, '--git-dir', w.remote, 'diff-tree', '--no-commit-id', '--name-only', '-r', `refs/buran/attempts/${runId}.${task}.a1`).trim()).toBe(`src/${task}.txt`);
      }
      expect(git(w.repo, 'ls-tree', '-r', '--name-only', `buran/${runId}`)).not.toContain('setup-out.txt');
      expect(existsSync(join(w.repo, 'run-agent.sh'))).toBe(false);
      // Status lists each agent's setup with where it ran.
      const st = JSON.parse((await cli(w.repo, ['status', '--run', runId, '--json'])).stdout) as { setup?: { where: string; status: string }[] };
      expect((st.setup ?? []).filter((s) => s.where.endsWith('on worker agent m1')).map((s) => `${s.where} ${s.status}`).sort()).toEqual(['task a on worker agent m1 ok', 'task b on worker agent m1 ok']);
      await stopAgents([m1]);
      expect(await survivorsAfter(w.tag)).toEqual([]);
    });
  });

  it.runIf(runs(false))("confined (sandbox required): the agent's setup writes its worktree and the agent's --writable folder only, once per attempt; the worker sees what it made", async () => {
    await counted(FAMILY, 'confined setup on the agent', async () => {
      const w = await world('setupbwrap', { sandbox: 'required' });
      // The agent's own writable folder (a package cache, say): setup records each run there.
      const cache = join(w.root, 'agent-cache');
      mkdirSync(cache);
      const m1 = agent(w, 'm1', 1, 15_000, ['--writable', cache]);
      await m1.ready;
      const escape = join(w.root, 'escaped.txt');
      const packet = {
        ...chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 100, tasks: ['a'], extraArgs: ['--require-file=setup-out.txt'] }),
        setup: [['sh', '-c', `echo generated > setup-out.txt && (echo out > '${escape}' || true) && case "$PWD" in */work/worktrees/*) echo "$PWD" >> '${cache}/runs';; esac`]],
      };
      const runId = await approve(w.repo, packet);
      const r = await cli(w.repo, ['run', '--run', runId], w.env);
      await expectHandoff(r, w.repo, runId);
      // Confined workers cannot write the markers folder: the branch says which attempt was taken.
      expect((await facts(w.repo, runId, w.markers)).branchFiles).toEqual({ a: 'ok a.a1\n' });
      expect(existsSync(escape)).toBe(false);
      expect(readFileSync(join(cache, 'runs'), 'utf8')).toBe(`${join(m1.dir, 'work', 'worktrees', `${runId}.a.a1`)}\n`);
      expect(git(w.root, '--git-dir', w.remote, 'diff-tree', '--no-commit-id', '--name-only', '-r', `refs/buran/attempts/${runId}.a.a1`).trim()).toBe('src/a.txt');
      await stopAgents([m1]);
      expect(await survivorsAfter(w.tag)).toEqual([]);
    });
  });

  it.runIf(runs(false))('a setup that fails on the agent blocks the task setup_failed at once, as a local one does: no worker, no second attempt', async () => {
    await counted(FAMILY, 'setup fails on the agent', async () => {
      const w = await world('setupfail');
      const m1 = agent(w, 'm1', 1, 15_000);
      await m1.ready;
      // Passes on the runner (run worktree, verification), fails in an attempt's worktree on the agent.
      const packet = { ...chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 100, limits: { maxAttempts: 3 } }), setup: [['sh', '-c', 'case "$PWD" in */work/worktrees/*) echo "no cache here" >&2; exit 7;; esac']] };
      const runId = await approve(w.repo, packet);
      const r = await cli(w.repo, ['run', '--run', runId], w.env);
      expect(r.code, r.stderr).toBe(3);
      const st = JSON.parse((await cli(w.repo, ['status', '--run', runId, '--json'])).stdout) as { blocker: { code: string; message: string; nextSafeAction: unknown } | null };
      expect(st.blocker?.code).toBe('setup_failed');
      expect(st.blocker?.message).toMatch(/failed in task alpha on worker agent m1 \(exit code 7\)[^]*no cache here/);
      expect(await addsPerJob(w)).toEqual({ 'alpha.a1': 1 });
      expect((await facts(w.repo, runId, w.markers)).spawns).toEqual({});
      await stopAgents([m1]);
      expect(await survivorsAfter(w.tag)).toEqual([]);
    });
  });

  it.runIf(runs(false))('six tasks at concurrency 3 on three agents reach handoff; each attempt added once, started once, ingested once', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'six tasks, three agents', async () => {
      const w = await world('six');
      const agents = ['m1', 'm2', 'm3'].map((name) => agent(w, name, 3));
      for (const a of agents) await a.ready;
      const tasks = ['a', 'b', 'c', 'd', 'e', 'f'];
      const runId = await approve(w.repo, chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 1_000, tasks, limits: { concurrency: 3 } }));
      const startedAt = Date.now();
      const r = await cli(w.repo, ['run', '--run', runId], w.env);
      figures['runMs'] = Date.now() - startedAt;
      await expectHandoff(r, w.repo, runId);
      const ids = tasks.map((t) => `${t}.a1`);
      const got = await facts(w.repo, runId, w.markers);
      expect(got.spawns).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      expect(got.ingestions).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      expect(got.branchFiles).toEqual(Object.fromEntries(tasks.map((t) => [t, `ok ${t}.a1\n`])));
      expect(await addsPerJob(w)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      const shown = await expectAgentsShown(w, runId, ids);
      figures['agents'] = shown;
      // The same packet on the runner's machine alone (no queue), for comparison.
      const local = makeRepo();
      const localRun = await approve(local, chaosPacket({ tag: w.tag, markers: join(local, 'markers'), sleepMs: 1_000, tasks, limits: { concurrency: 3 } }));
      const localStart = Date.now();
      await expectHandoff(await cli(local, ['run', '--run', localRun]), local, localRun);
      figures['localRunMs'] = Date.now() - localStart;
      await stopAgents(agents);
      expect(await survivorsAfter(w.tag)).toEqual([]);
    }, () => figures);
    process.stdout.write(`queue runner figures: ${JSON.stringify(figures)}\n`);
  });

  it.runIf(runs(false))('kill -9 of the runner mid-run, then buran run again: no second add, each attempt started once, each completion ingested once', async () => {
    await counted(FAMILY, 'runner killed mid-run', async () => {
      const w = await world('rekill');
      const agents = ['m1', 'm2'].map((name) => agent(w, name, 2));
      for (const a of agents) await a.ready;
      const tasks = ['a', 'b', 'c', 'd'];
      const runId = await approve(w.repo, chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 3_000, tasks, limits: { concurrency: 2 } }));
      const first = startCli(w.repo, ['run', '--run', runId], w.env);
      // Killed once two attempts were added and run on the agents.
      await waitFor('two queued attempts running', () => queuedRecords(w, runId).filter((q) => q.addedAt !== null).length >= 2 && markerLines(w, 'a.a1').length + markerLines(w, 'b.a1').length >= 2, 60_000);
      first.child.kill('SIGKILL');
      await first.done;
      // Let the attempts end while no runner watches: their results wait in Redis.
      await sleep(4_000);
      const r = await cli(w.repo, ['run', '--run', runId], w.env);
      await expectHandoff(r, w.repo, runId);
      const ids = tasks.map((t) => `${t}.a1`);
      const got = await facts(w.repo, runId, w.markers);
      expect(got.spawns).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      expect(got.ingestions).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      expect(await addsPerJob(w)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      expect(got.branchFiles).toEqual(Object.fromEntries(tasks.map((t) => [t, `ok ${t}.a1\n`])));
      await stopAgents(agents);
      expect(await survivorsAfter(w.tag)).toEqual([]);
    });
  });

  it.runIf(runs(false))('buran cancel while an attempt runs on an agent: the cancel reaches the agent, the attempt and its grandchildren end, nothing is pushed', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'cancel reaches the agent', async () => {
      const w = await world('cancel');
      const m1 = agent(w, 'm1');
      await m1.ready;
      const runId = await approve(w.repo, chaosPacket({ tag: w.tag, markers: w.markers, mode: 'fork-hang', sleepMs: 0, tasks: ['a'] }));
      const running = startCli(w.repo, ['run', '--run', runId], w.env);
      await waitFor('a.a1 to run on m1', () => markerLines(w, 'a.a1').length === 1, 60_000);
      await sleep(300);
      expect(survivors(join(m1.dir, 'work')).length).toBeGreaterThan(2);
      const cancelledAt = Date.now();
      const cancel = await cli(w.repo, ['cancel', '--run', runId, '--by', 'chaos', '--reason', 'stop it']);
      expect([0, 4], cancel.stderr).toContain(cancel.code);
      const r = await running.done;
      expect(JSON.parse((await cli(w.repo, ['status', '--run', runId, '--json'])).stdout)).toMatchObject({ status: 'cancelled' });
      // Supervisor, worker and grandchildren (one ignores SIGTERM) on the agent: none left.
      expect(await survivorsAfter(join(m1.dir, 'work'), 15_000), `${r.stdout}\n${m1.log()}`).toEqual([]);
      figures['cancelToNoProcessMs'] = Date.now() - cancelledAt;
      expect(m1.log()).toMatch(new RegExp(`attempt a\\.a1 of run ${runId}: failed: cancelled`));
      expect(() => git(w.root, '--git-dir', w.remote, 'rev-parse', '--verify', '--quiet', `refs/buran/attempts/${runId}.a.a1`)).toThrow();
      expect(markerLines(w, 'a.a1')).toHaveLength(1);
      await stopAgents([m1]);
    }, () => figures);
    process.stdout.write(`queue runner figures: ${JSON.stringify(figures)}\n`);
  });

  it.runIf(runs(false))('an agent killed mid-attempt: the job stalls, a new attempt runs on another agent, the dead attempt is never merged', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'agent killed mid-attempt', async () => {
      const w = await world('agentkill');
      const doomed = agent(w, 'm1');
      await doomed.ready;
      // The first attempt sleeps long (it is killed meanwhile); the agent's own env says which attempt is slow.
      const runId = await approve(w.repo, chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 8_000, tasks: ['a'] }));
      const running = startCli(w.repo, ['run', '--run', runId], w.env);
      await waitFor('a.a1 to start on m1', () => markerLines(w, 'a.a1').length === 1, 60_000);
      const survivor = agent(w, 'm2');
      await survivor.ready;
      const killedAt = Date.now();
      doomed.cli.child.kill('SIGKILL');
      const r = await running.done;
      figures['killToHandoffMs'] = Date.now() - killedAt;
      await expectHandoff(r, w.repo, runId);
      const got = await facts(w.repo, runId, w.markers);
      expect(got.spawns['a.a2']).toBe(1);
      expect(got.ingestions).toEqual({ 'a.a1': 1, 'a.a2': 1 });
      const events = got.events.filter((e) => e.attemptId === 'a.a1' && e.data['event'] === 'xstate.done.actor.awaitCompletion');
      expect(JSON.stringify(events)).toContain('stalled');
      // What the run branch holds is the second attempt's; the dead agent's attempt pushed nothing and is on no branch.
      expect(got.branchFiles).toEqual({ a: 'ok a.a2\n' });
      expect(() => git(w.root, '--git-dir', w.remote, 'rev-parse', '--verify', '--quiet', `refs/buran/attempts/${runId}.a.a1`)).toThrow();
      expect(git(w.repo, 'log', '--format=%(trailers:key=Buran-Attempt,valueonly)', `buran/${runId}`).split('\n').map((l) => l.trim()).filter((l) => l !== '')).not.toContain('a.a1');
      const agents = queuedRecords(w, runId).map((q) => [q.attemptId, q.agent]);
      expect(agents).toEqual([['a.a1', 'm1'], ['a.a2', 'm2']]);
      // The dead agent's worker outlived it (its supervisor is detached); its next agent in that folder would end it (queue.test.ts).
      for (const { pid } of survivors(doomed.dir)) process.kill(pid, 'SIGKILL');
      await stopAgents([survivor]);
    }, () => figures);
    process.stdout.write(`queue runner figures: ${JSON.stringify(figures)}\n`);
  });

  it.runIf(runs(false))('Redis killed and started again mid-run while attempts run on agents: nothing lost, nothing done twice, the run reaches handoff', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'redis restarted mid-run', async () => {
      const w = await world('redis');
      // A 15 s lock (renewed every 7.5 s): Redis is down for less than any lock can have left, so no job may stall.
      const agents = ['m1', 'm2'].map((name) => agent(w, name, 2, 15_000));
      for (const a of agents) await a.ready;
      const tasks = ['a', 'b', 'c', 'd'];
      const runId = await approve(w.repo, chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 3_000, tasks, limits: { concurrency: 2 } }));
      const startedAt = Date.now();
      const running = startCli(w.repo, ['run', '--run', runId], w.env);
      await waitFor('two queued attempts running', () => queuedRecords(w, runId).filter((q) => q.addedAt !== null).length >= 2 && markerLines(w, 'a.a1').length + markerLines(w, 'b.a1').length >= 2, 60_000);
      // Down from about 1 s into the two attempts until past their 3 s of work: they end (and want to report) while Redis is away.
      await sleep(1_000);
      // SIGKILL: only what appendfsync always synced before each reply survives.
      const restartAt = Date.now();
      await w.redis.restart({ signal: 'SIGKILL', downMs: 3_000 });
      figures['restartMs'] = Date.now() - restartAt;
      // Attempts whose worker had exited by the time Redis answered again (their agents were waiting to report).
      figures['endedWhileDown'] = agents.flatMap((a) => ['a.a1', 'b.a1'].filter((id) => existsSync(join(a.dir, 'work', 'attempts', `${runId}.${id}`, 'exit.json'))));
      const r = await running.done;
      figures['runMs'] = Date.now() - startedAt;
      figures['restartToHandoffMs'] = Date.now() - restartAt;
      // One `buran run`: the runner waited for Redis (its commands wait for the reconnect) and was never blocked.
      await expectHandoff(r, w.repo, runId);
      const ids = tasks.map((t) => `${t}.a1`);
      const got = await facts(w.repo, runId, w.markers);
      expect(got.spawns).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      expect(got.ingestions).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      expect(got.events.filter((e) => JSON.stringify(e).includes('queue_unavailable'))).toEqual([]);
      expect(await addsPerJob(w)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      expect(got.branchFiles).toEqual(Object.fromEntries(tasks.map((t) => [t, `ok ${t}.a1\n`])));
      // The fault was real: the agents lost their connection.
      expect(agents.some((a) => /redis: /.test(a.log())), agents.map((a) => a.log()).join('\n')).toBe(true);
      await stopAgents(agents);
      expect(await survivorsAfter(w.tag)).toEqual([]);
    }, () => figures);
    process.stdout.write(`queue runner figures: ${JSON.stringify(figures)}\n`);
  });

  it.runIf(runs(false))('an agent stopped past its lock mid-run, then resumed: the task retries on another agent, the stopped attempt is never merged, nothing of it is left', async () => {
    const figures: Record<string, unknown> = {};
    await counted(FAMILY, 'agent stopped past its lock', async () => {
      const w = await world('agentstop');
      const stopped = agent(w, 'm1');
      await stopped.ready;
      const runId = await approve(w.repo, chaosPacket({ tag: w.tag, markers: w.markers, sleepMs: 8_000, tasks: ['a'] }));
      const running = startCli(w.repo, ['run', '--run', runId], w.env);
      await waitFor('a.a1 to start on m1', () => markerLines(w, 'a.a1').length === 1, 60_000);
      const other = agent(w, 'm2');
      await other.ready;
      const stoppedAt = Date.now();
      stopped.cli.child.kill('SIGSTOP');
      // m2's stalled check fails the job; the runner's new attempt can only go to m2 (m1 is stopped).
      await waitFor('a.a2 to start on m2', () => markerLines(w, 'a.a2').length === 1, 60_000);
      figures['stopToRetryMs'] = Date.now() - stoppedAt;
      // The first attempt's worker is not stopped (its supervisor is detached): it finishes its work meanwhile.
      await waitFor("a.a1's worker to exit", () => existsSync(join(stopped.dir, 'work', 'attempts', `${runId}.a.a1`, 'exit.json')), 30_000);
      stopped.cli.child.kill('SIGCONT');
      await waitFor('the resumed agent to give a.a1 up', () => /attempt a\.a1 of run \S+: (failed|killed)|lock/.test(stopped.log()), 30_000);
      const r = await running.done;
      figures['stopToHandoffMs'] = Date.now() - stoppedAt;
      await expectHandoff(r, w.repo, runId);
      const got = await facts(w.repo, runId, w.markers);
      expect(got.spawns).toEqual({ 'a.a1': 1, 'a.a2': 1 });
      expect(got.ingestions).toEqual({ 'a.a1': 1, 'a.a2': 1 });
      const first = got.events.filter((e) => e.attemptId === 'a.a1' && e.data['event'] === 'xstate.done.actor.awaitCompletion');
      expect(JSON.stringify(first)).toContain('stalled');
      expect(got.branchFiles).toEqual({ a: 'ok a.a2\n' });
      // The resumed agent pushed nothing, and no commit of the first attempt is in the run branch's history.
      expect(() => git(w.root, '--git-dir', w.remote, 'rev-parse', '--verify', '--quiet', `refs/buran/attempts/${runId}.a.a1`)).toThrow();
      const trailers = git(w.repo, 'log', '--format=%(trailers:key=Buran-Attempt,valueonly)', `buran/${runId}`).split('\n').map((l) => l.trim()).filter((l) => l !== '');
      expect(trailers).toContain('a.a2');
      expect(trailers).not.toContain('a.a1');
      expect(queuedRecords(w, runId).map((q) => [q.attemptId, q.agent])).toEqual([['a.a1', 'm1'], ['a.a2', 'm2']]);
      expect(await survivorsAfter(join(stopped.dir, 'work'), 15_000), stopped.log()).toEqual([]);
      figures['resumedLog'] = stopped.log().split('\n').filter((l) => l !== '').slice(-4);
      await stopAgents([stopped, other]);
      expect(await survivorsAfter(w.tag)).toEqual([]);
    }, () => figures);
    process.stdout.write(`queue runner figures: ${JSON.stringify(figures)}\n`);
  });
});
