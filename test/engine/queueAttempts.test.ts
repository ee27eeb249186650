// The runner's queue-backed attempts on a real repository and remote, with
// the in-memory queue twin standing in for BullMQ (the test plays the worker
// agents with take / finish): one add per attempt id across repeated
// dispatches, the job's shape, what each way a job ends becomes for the task
// chart, cancels, and the preflight's refusals.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CurrentAttempt } from '../../machines/task.types.js';
import { type Config, ConfigSchema } from '../../src/domain/config.js';
import { PacketSchema } from '../../src/domain/packet.js';
import { ATTEMPT_RESULT_SCHEMA_ID, type AttemptResult } from '../../src/queue/attemptJob.js';
import { createMemoryAttemptQueue } from '../../src/queue/memoryQueue.js';
import type { AttemptQueue } from '../../src/queue/port.js';
import { type QueueAttempts, createQueueAttempts, routeThroughQueue } from '../../src/engine/queueAttempts.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { queueSettingsOf } from '../../src/engine/queueJob.js';
import { readQueuedAttempt, writeQueuedAttempt } from '../../src/engine/queueRecords.js';
import { createGitWorkspace } from '../../src/workspace/workspace.js';
import { commitFiles, gitOk, initRepo, tempDir } from '../workspace/support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const packetOf = (setup = false) =>
  PacketSchema.parse({
    schema: 'buran.packet/v1',
    id: 'p',
    title: 'Queue',
    goal: 'Work elsewhere.',
    tasks: [{ id: 'a', title: 'A', instructions: 'Write src/a.txt.', acceptance: ['it exists'], scope: ['src/a.txt'] }],
    verify: [['true']],
    worker: { adapter: 'command', command: ['true'] },
    limits: { taskTimeoutSec: 60, heartbeatTimeoutSec: 10 },
    ...(setup ? { setup: [['true']] } : {}),
  });

async function setup(o: { readonly setup?: boolean } = {}) {
  const { dir, cleanup } = await tempDir('queue-attempts');
  cleanups.push(cleanup);
  const repo = join(dir, 'repo');
  await initRepo(repo, { 'README.md': 'hello\n' });
  const remote = join(dir, 'remote.git');
  await gitOk(dir, ['init', '-q', '--bare', remote]);
  const config: Config = ConfigSchema.parse({ schema: 'buran.config/v1', queue: { remote, url: 'redis://10.0.0.5:6379' }, notify: { webhook: 'https://hooks.example/T0KEN' } });
  const ws = createGitWorkspace({ repoRoot: repo, storeDir: join(repo, '.buran') });
  const leased = await ws.leaseRunWorkspace({ runId: 'r1', base: 'main' });
  if (leased.status !== 'acquired') throw new Error(leased.message);
  const queue = createMemoryAttemptQueue();
  const runDir = join(repo, '.buran', 'runs', 'r1');
  let now = 1_000;
  // The run store's evidence: text by its (stand-in) hash.
  const evidence = new Map<string, string>();
  const putEvidence = (text: string) => {
    const hash = `sha256:${String(evidence.size).padStart(64, '0')}`;
    evidence.set(hash, text);
    return Promise.resolve(hash);
  };
  const make = (env: Record<string, string> = {}, over: { readonly queue?: AttemptQueue; readonly answerMs?: number } = {}) =>
    createQueueAttempts({ ...common, runDir, repoRoot: repo, packet: packetOf(o.setup === true), config, env, ws, now: () => now, putEvidence, openQueue: () => Promise.resolve(over.queue ?? queue), ...(over.answerMs === undefined ? {} : { answerMs: over.answerMs }) });
  return { dir, repo, remote, queue, runDir, config, ws, make, evidence, tick: (ms: number) => (now += ms) };
}

/** Options every queue-backed attempts object of these tests shares. */
const common = { runId: 'r1', redact: (t: string) => t, putEvidence: () => Promise.resolve('sha256:none'), setupTimeoutMs: 30_000 };

const attempt = (n = 1): CurrentAttempt => ({ attemptId: `a.a${n}`, number: n, epoch: 1, startedAt: null, deadlineAt: null });
const input = (n = 1) => ({ runId: 'r1', taskId: 'a', attempt: attempt(n), findings: [] });
const awaitInput = (n = 1, deadlineAt: number | null = null) => ({ runId: 'r1', taskId: 'a', attempt: { ...attempt(n), startedAt: 1_000, deadlineAt }, heartbeatTimeoutSec: 10 });

function result(attemptId: string, commit: string | null, agent = 'm1'): AttemptResult {
  return {
    schema: ATTEMPT_RESULT_SCHEMA_ID,
    attemptId,
    agent,
    status: 'started',
    outcome: { kind: 'completion', status: 'completed', digest: 'sha256:x', summary: 'did it', changedFiles: ['claimed/by/worker.txt'], usage: null },
    commit,
    message: null,
    startedAt: 1,
    endedAt: 2,
  };
}

describe('queue-backed attempts', () => {
  it('settings: BURAN_QUEUE_URL wins over queue.url; no URL at all means attempts run here', () => {
    const config = ConfigSchema.parse({ schema: 'buran.config/v1', queue: { url: 'redis://a:6379', remote: '/r.git' } });
    expect(queueSettingsOf(config, {})).toEqual({ url: 'redis://a:6379', remote: '/r.git' });
    expect(queueSettingsOf(config, { BURAN_QUEUE_URL: 'redis://b:6379' })).toEqual({ url: 'redis://b:6379', remote: '/r.git' });
    expect(queueSettingsOf(ConfigSchema.parse({ schema: 'buran.config/v1' }), {})).toBeNull();
    expect(queueSettingsOf(ConfigSchema.parse({ schema: 'buran.config/v1' }), { BURAN_QUEUE_URL: 'redis://b:6379' })).toEqual({ url: 'redis://b:6379', remote: null });
  });

  it('dispatch publishes the base and adds one job per attempt id, however often it is called; the job carries no queue settings', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    const first = await q.dispatch(input());
    expect(first).toEqual({ status: 'started', startedAt: 1_000, pid: null });
    w.tick(5_000);
    // A restarted runner dispatches the same attempt again: re-attached, same start, nothing added.
    expect(await q.dispatch(input())).toEqual(first);
    const job = w.queue.take('m1');
    expect(job).toMatchObject({ attemptId: 'a.a1', taskId: 'a', remote: w.remote, sandbox: { mode: 'auto', writable: [] }, timeoutMs: 60_000 });
    expect(job?.config).not.toHaveProperty('queue');
    expect(job?.config.notify).toEqual(ConfigSchema.parse({ schema: 'buran.config/v1' }).notify);
    expect(w.queue.take('m2')).toBeNull();
    const base = readQueuedAttempt(w.runDir, 'a.a1')?.baseCommit;
    expect(job?.baseCommit).toBe(base);
    expect((await gitOk(w.remote, ['--git-dir', w.remote, 'rev-parse', 'refs/buran/bases/r1.a.a1'])).trim()).toBe(base);
    expect(readQueuedAttempt(w.runDir, 'a.a1')?.jobId).toBe('r1.a.a1');
  });

  it("another run's job with the same attempt id (one Redis, one remote) is not this run's: this run adds its own and takes only its own result", async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    // Run r0 used task a too: its a.a1 is finished in the shared queue (its job made here through another queue).
    const other = createMemoryAttemptQueue();
    await w.make({}, { queue: other })?.dispatch(input());
    const job = other.take('m0');
    if (job === null) throw new Error('no job');
    await rm(join(w.runDir, 'queue'), { recursive: true, force: true });
    await w.queue.add({ ...job, runId: 'r0' });
    w.queue.take('m0');
    w.queue.finish('r0.a.a1', { result: result('a.a1', 'd'.repeat(40), 'm0') });
    // This run (r1) dispatches a.a1: a job of its own is added; r0's result is never read as its own.
    await q.dispatch(input());
    expect(readQueuedAttempt(w.runDir, 'a.a1')?.jobId).toBe('r1.a.a1');
    const ours = w.queue.take('m1');
    expect(ours).toMatchObject({ runId: 'r1', attemptId: 'a.a1' });
    expect(await w.queue.find('r1.a.a1')).toEqual({ state: 'active', agent: 'm1' });
  });

  it('a record written before job ids (no jobId) keeps addressing the job by the attempt id', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input());
    const record = readQueuedAttempt(w.runDir, 'a.a1');
    if (record === null) throw new Error('no record');
    const { jobId: _dropped, ...old } = record;
    await writeQueuedAttempt(w.runDir, old);
    const stop = new AbortController();
    const asked: string[] = [];
    const spy = { ...w.queue, find: (id: string) => (asked.push(id), w.queue.find(id)) };
    setTimeout(() => stop.abort(new Error('looked once')), 50);
    await w.make({}, { queue: spy })?.await(awaitInput(1), stop.signal).catch(() => undefined);
    expect(asked[0]).toBe('a.a1');
  });

  it('a completed job: its commit becomes the task commit, the changed files are git\'s, and the agent is recorded', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input());
    const job = w.queue.take('m1');
    if (job === null) throw new Error('no job');
    // The agent's side: a clone at the base, one commit, pushed to the attempt ref.
    const agent = join(w.dir, 'agent');
    await gitOk(w.dir, ['clone', '-q', w.remote, agent]);
    await gitOk(agent, ['fetch', '-q', 'origin', 'refs/buran/bases/r1.a.a1']);
    await gitOk(agent, ['checkout', '-q', '--detach', job.baseCommit]);
    const commit = (await commitFiles(agent, { 'src/a.txt': 'ok\n' }, 'a: work\n\nBuran-Attempt: a.a1')).trim();
    await gitOk(agent, ['push', '-q', 'origin', `${commit}:refs/buran/attempts/r1.a.a1`]);
    w.queue.finish('r1.a.a1', { result: result('a.a1', commit, 'box-7') });
    const outcome = await q.await(awaitInput(), new AbortController().signal);
    expect(outcome).toMatchObject({ kind: 'completion', status: 'completed', changedFiles: ['src/a.txt'] });
    expect(readQueuedAttempt(w.runDir, 'a.a1')?.agent).toBe('box-7');
    expect((await gitOk(w.repo, ['rev-parse', 'refs/heads/buran-task/r1/a'])).trim()).toBe(commit);
  });

  it('a result naming a commit nobody pushed is a violation; the task branch stays at its base', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input());
    w.queue.take('m1');
    w.queue.finish('r1.a.a1', { result: result('a.a1', 'b'.repeat(40)) });
    const outcome = await q.await(awaitInput(), new AbortController().signal);
    expect(outcome).toMatchObject({ kind: 'violation' });
    expect((await gitOk(w.repo, ['rev-parse', 'refs/heads/buran-task/r1/a'])).trim()).toBe(readQueuedAttempt(w.runDir, 'a.a1')?.baseCommit);
  });

  it('a remote that does not answer when the commit is fetched: queue_unavailable (retryable), the task branch untouched', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input());
    w.queue.take('m1');
    w.queue.finish('r1.a.a1', { result: result('a.a1', 'c'.repeat(40)) });
    await rm(w.remote, { recursive: true, force: true });
    await expect(q.await(awaitInput(), new AbortController().signal)).rejects.toMatchObject({ code: 'queue_unavailable' });
    expect((await gitOk(w.repo, ['rev-parse', 'refs/heads/buran-task/r1/a'])).trim()).toBe(readQueuedAttempt(w.runDir, 'a.a1')?.baseCommit);
  });

  it('a queue that does not answer (Redis down) blocks the task queue_unavailable instead of hanging, in await and dispatch; an abort ends the wait; once Redis is back the attempt is awaited again', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input());
    // Redis away: the client keeps each question for the reconnect, so it never settles.
    const silent: AttemptQueue = { ...w.queue, find: () => new Promise(() => undefined) };
    const stuck = w.make({}, { queue: silent, answerMs: 50 });
    await expect(stuck?.await(awaitInput(), new AbortController().signal)).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringMatching(/^attempt a\.a1: the queue at redis:\/\/10\.0\.0\.5:6379 did not answer/) as unknown });
    const controller = new AbortController();
    const waiting = w.make({}, { queue: silent, answerMs: 600_000 })?.await(awaitInput(), controller.signal);
    controller.abort(new Error('run stopping'));
    await expect(waiting).rejects.toThrow('run stopping');
    // A dispatch meanwhile: blocked the same way, nothing added; its retry adds once.
    const silentAdd: AttemptQueue = { ...w.queue, find: () => new Promise(() => undefined), add: () => new Promise(() => undefined) };
    await expect(w.make({}, { queue: silentAdd, answerMs: 50 })?.dispatch(input(2))).rejects.toMatchObject({ code: 'queue_unavailable' });
    expect(readQueuedAttempt(w.runDir, 'a.a2')?.addedAt).toBeNull();
    await q.dispatch(input(2));
    expect(readQueuedAttempt(w.runDir, 'a.a2')?.addedAt).not.toBeNull();
    // Back: the retry resumes at await, finds the job and ingests its result.
    w.queue.take('m1');
    w.queue.finish('r1.a.a1', { result: result('a.a1', null) });
    expect(await q.await(awaitInput(), new AbortController().signal)).toMatchObject({ kind: 'completion', status: 'completed', changedFiles: [] });
  });

  it("the job carries the packet's setup commands and their bound only when the packet has some", async () => {
    const plain = await setup();
    await plain.make()?.dispatch(input());
    expect(plain.queue.take('m1')).not.toHaveProperty('setup');
    const w = await setup({ setup: true });
    await w.make()?.dispatch(input());
    expect(w.queue.take('m1')?.setup).toEqual({ commands: [['true']], timeoutMs: 30_000 });
  });

  const evidence = (exitCode: number) => ({ argv: ['true'], exitCode, timedOut: false, durationMs: 5, stdoutTail: '', stderrTail: exitCode === 0 ? '' : 'npm ERR! offline' });

  it('a setup that failed on the agent is setup_failed (the local blocker\'s message and details), its evidence stored; nothing is fetched', async () => {
    const w = await setup({ setup: true });
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input());
    w.queue.take('m1');
    w.queue.finish('r1.a.a1', { result: { ...result('a.a1', null), status: 'setup_failed', outcome: null, setup: { status: 'failed', commands: [evidence(1)], outputs: [] }, message: 'setup failed' } });
    const outcome = await q.await(awaitInput(), new AbortController().signal);
    expect(outcome).toMatchObject({
      kind: 'setup_failed',
      reason: expect.stringMatching(/^setup command \["true"\] failed in task a on worker agent m1 \(exit code 1\)\n[^]*npm ERR! offline/) as unknown,
      details: { where: 'task a on worker agent m1', command: ['true'], exitCode: 1 },
      setup: { where: 'task a on worker agent m1', status: 'failed', commands: [{ argv: ['true'], exitCode: 1 }] },
    });
    const hash = outcome.setup?.commands[0]?.evidence ?? '';
    expect(JSON.parse(w.evidence.get(hash) ?? 'null')).toEqual(evidence(1));
    expect((await gitOk(w.repo, ['rev-parse', 'refs/heads/buran-task/r1/a'])).trim()).toBe(readQueuedAttempt(w.runDir, 'a.a1')?.baseCommit);
  });

  it("a setup that passed on the agent is carried on the attempt's outcome with its outputs; a result that does not fit the job's setup is invalid", async () => {
    const w = await setup({ setup: true });
    const q = w.make();
    if (q === null) throw new Error('no queue');
    for (const n of [1, 2, 3, 4]) await q.dispatch(input(n));
    for (const agent of ['m1', 'm2', 'm3', 'm4']) w.queue.take(agent);
    const ok = { status: 'ok' as const, commands: [evidence(0)], outputs: ['node_modules'] };
    w.queue.finish('r1.a.a1', { result: { ...result('a.a1', null), setup: ok } });
    w.queue.finish('r1.a.a2', { result: result('a.a2', null) });
    w.queue.finish('r1.a.a3', { result: { ...result('a.a3', null), setup: { ...ok, commands: [evidence(2)] } } });
    w.queue.finish('r1.a.a4', { result: { ...result('a.a4', null), status: 'setup_failed', setup: { ...ok, status: 'failed' } } });
    const signal = new AbortController().signal;
    expect(await q.await(awaitInput(1), signal)).toMatchObject({ kind: 'completion', status: 'completed', setup: { where: 'task a on worker agent m1', status: 'ok', outputs: ['node_modules'] } });
    expect(await q.await(awaitInput(2), signal)).toMatchObject({ kind: 'invalid', problems: ['worker agent m1: the job had setup commands and the result reports none'] });
    expect(await q.await(awaitInput(3), signal)).toMatchObject({ kind: 'invalid', problems: ['worker agent m1: the worker started though its setup did not pass'] });
    expect(await q.await(awaitInput(4), signal)).toMatchObject({ kind: 'invalid', problems: [expect.stringMatching(/says setup failed, and also names an outcome/) as unknown] });
  });

  it('a result that reports a setup the job did not have is invalid', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input());
    w.queue.take('m1');
    w.queue.finish('r1.a.a1', { result: { ...result('a.a1', null), setup: { status: 'ok', commands: [evidence(0)], outputs: [] } } });
    expect(await q.await(awaitInput(), new AbortController().signal)).toMatchObject({ kind: 'invalid', problems: ['worker agent m1: the result reports a setup the job did not have'] });
  });

  it('a stalled job, a failed one and an agent that could not start are the worker-lost path (missing), naming the agent', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    for (const n of [1, 2, 3]) await q.dispatch(input(n));
    w.queue.take('dead');
    w.queue.take('m2');
    w.queue.take('m3');
    w.queue.finish('r1.a.a1', { reason: 'job stalled more than allowable limit', stalled: true });
    w.queue.finish('r1.a.a2', { reason: 'boom', stalled: false });
    w.queue.finish('r1.a.a3', { result: { ...result('a.a3', null, 'm3'), status: 'unavailable', outcome: null, message: 'bwrap missing' } });
    const signal = new AbortController().signal;
    expect(await q.await(awaitInput(1), signal)).toEqual({ kind: 'missing', reason: expect.stringMatching(/stalled on worker agent dead/) as unknown });
    expect(await q.await(awaitInput(2), signal)).toEqual({ kind: 'missing', reason: expect.stringMatching(/failed on worker agent m2: boom/) as unknown });
    expect(await q.await(awaitInput(3), signal)).toEqual({ kind: 'missing', reason: expect.stringMatching(/m3 could not start the attempt: bwrap missing/) as unknown });
  });

  /** One look at the job by `await` (the wait is aborted at its first pause): what it records on the way. */
  async function lookOnce(q: QueueAttempts, n: number, deadlineAt: number): Promise<unknown> {
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('looked once')), 50);
    return q.await(awaitInput(n, deadlineAt), stop.signal).catch((error: unknown) => error);
  }

  it('past its deadline a job is cancelled and the attempt timed out; cancelAll cancels only jobs not ended', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input(1));
    await q.dispatch(input(2));
    w.queue.take('m1');
    // The attempt's clock starts when the runner first sees an agent holding the job.
    expect(await lookOnce(q, 1, 5_000)).toMatchObject({ message: 'looked once' });
    expect(readQueuedAttempt(w.runDir, 'a.a1')).toMatchObject({ agent: 'm1', takenAt: 1_000 });
    w.tick(10_000);
    expect(await q.await(awaitInput(1, 5_000), new AbortController().signal)).toEqual({ kind: 'timeout', reason: 'wall' });
    expect(w.queue.cancelled).toEqual(['r1.a.a1']);
    await q.cancelAll();
    expect(w.queue.cancelled).toEqual(['r1.a.a1', 'r1.a.a2']);
  });

  it('time spent waiting for a free agent does not count against the attempt: its limit runs from when an agent is seen holding the job', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input(1));
    // Limit 4 s (started 1,000, deadline 5,000). Waiting 3 s: no agent yet, within the wait's own bound.
    w.tick(3_000);
    expect(await lookOnce(q, 1, 5_000)).toMatchObject({ message: 'looked once' });
    expect(readQueuedAttempt(w.runDir, 'a.a1')?.takenAt ?? null).toBeNull();
    w.queue.take('m1');
    w.tick(1_000);
    expect(await lookOnce(q, 1, 5_000)).toMatchObject({ message: 'looked once' });
    expect(readQueuedAttempt(w.runDir, 'a.a1')).toMatchObject({ agent: 'm1', takenAt: 5_000 });
    // Past the chart's deadline (5,000) but within 4 s of the take: still running.
    w.tick(3_000);
    expect(await lookOnce(q, 1, 5_000)).toMatchObject({ message: 'looked once' });
    expect(w.queue.cancelled).toEqual([]);
    w.tick(2_000);
    expect(await q.await(awaitInput(1, 5_000), new AbortController().signal)).toEqual({ kind: 'timeout', reason: 'wall' });
    expect(w.queue.cancelled).toEqual(['r1.a.a1']);
  });

  it('a job no agent takes within the task\'s time limit is withdrawn and the task blocks queue_unavailable (retryable), saying to start an agent', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input(1));
    w.tick(5_000);
    const error = await q.await(awaitInput(1, 5_000), new AbortController().signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'queue_unavailable', message: expect.stringMatching(/no worker agent took the job within 4 s .*buran worker --queue redis:\/\/10\.0\.0\.5:6379/) as unknown });
    expect(w.queue.cancelled).toEqual(['r1.a.a1']);
    // Retried: the job is gone (cancelled), so the task's worker-lost path starts a new attempt.
    expect(await q.await(awaitInput(1, 5_000), new AbortController().signal)).toMatchObject({ kind: 'missing' });
  });

  it('a cancel Redis does not answer is bounded and says which attempts it did not confirm, never that they stopped; Redis is asked once, not once per attempt', async () => {
    const w = await setup();
    const q = w.make();
    if (q === null) throw new Error('no queue');
    await q.dispatch(input(1));
    await q.dispatch(input(2));
    // Redis away: the client keeps each question for the reconnect, so it never settles.
    let asked = 0;
    const silent: AttemptQueue = { ...w.queue, find: () => (asked++, new Promise(() => undefined)), cancel: () => new Promise(() => undefined) };
    const started = Date.now();
    const cancel = w.make({}, { queue: silent, answerMs: 50 })?.cancelAll();
    await expect(cancel).rejects.toMatchObject({
      code: 'queue_unavailable',
      message: expect.stringMatching(/^run r1: the queue at redis:\/\/10\.0\.0\.5:6379 did not confirm the cancel of 2 queued attempt\(s\) \(a\.a1, a\.a2\): their jobs may still wait or run on worker agents/) as unknown,
      details: { runId: 'r1', unconfirmed: ['a.a1', 'a.a2'] },
      nextSafeAction: { text: expect.stringContaining('treat these attempts as running') as unknown, command: expect.stringMatching(/^buran cancel --run \S+ --reason "ask the queue again"$/) as unknown },
    });
    expect(asked).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The job state is answered, the cancel is not: that attempt is not confirmed either; nothing was cancelled.
    const cancelSilent: AttemptQueue = { ...w.queue, cancel: () => new Promise(() => undefined) };
    await expect(w.make({}, { queue: cancelSilent, answerMs: 50 })?.cancelAll()).rejects.toMatchObject({ code: 'queue_unavailable', details: { unconfirmed: ['a.a1', 'a.a2'] } });
    expect(w.queue.cancelled).toEqual([]);
    // A queue that cannot even be opened: every attempt of the run is unconfirmed.
    const closed = createQueueAttempts({ ...common, runDir: w.runDir, repoRoot: w.repo, packet: packetOf(), config: w.config, env: {}, ws: w.ws, now: () => 0, openQueue: () => Promise.reject(new Error('connect ECONNREFUSED')) });
    await expect(closed?.cancelAll()).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringContaining('(connect ECONNREFUSED)') as unknown, details: { unconfirmed: ['a.a1', 'a.a2'] } });
    // Redis back: the same cancel is confirmed and ends both jobs.
    await q.cancelAll();
    expect(w.queue.cancelled).toEqual(['r1.a.a1', 'r1.a.a2']);
  });

  it('preflight refuses a queue without a remote; a packet with setup commands passes (agents run them); with no queue configured there is none', async () => {
    const noRemote = await setup();
    const q = createQueueAttempts({ ...common, runDir: noRemote.runDir, repoRoot: noRemote.repo, packet: packetOf(), config: ConfigSchema.parse({ schema: 'buran.config/v1' }), env: { BURAN_QUEUE_URL: 'redis://x:1' }, ws: createGitWorkspace({ repoRoot: noRemote.repo, storeDir: join(noRemote.repo, '.buran') }), now: () => 0, openQueue: () => Promise.resolve(noRemote.queue) });
    await expect(q?.preflight()).rejects.toMatchObject({ code: 'queue_unavailable', message: expect.stringContaining('queue.remote') as unknown });
    expect(await (await setup({ setup: true })).make()?.preflight()).toBeNull();
    expect(await (await setup()).make()?.preflight()).toBeNull();
    expect(createQueueAttempts({ ...common, runDir: noRemote.runDir, repoRoot: noRemote.repo, packet: packetOf(), config: ConfigSchema.parse({ schema: 'buran.config/v1' }), env: {}, ws: createGitWorkspace({ repoRoot: noRemote.repo, storeDir: join(noRemote.repo, '.buran') }), now: () => 0 })).toBeNull();
  });

  it('routing: without a queue the effects are the same object; with one, dispatch, await and cancel go to the queue, preflight first', async () => {
    const calls: string[] = [];
    const local = createScriptedEffects();
    expect(routeThroughQueue(local, null)).toBe(local);
    const queued: QueueAttempts = {
      preflight: () => (calls.push('preflight'), Promise.resolve({ status: 'unavailable', message: 'no', details: {} })),
      dispatch: () => (calls.push('dispatch'), Promise.resolve({ status: 'started', startedAt: 1, pid: null })),
      await: () => (calls.push('await'), Promise.resolve({ kind: 'missing', reason: 'x' })),
      cancelAll: () => (calls.push('cancelAll'), Promise.resolve()),
    };
    const routed = routeThroughQueue(local, queued);
    expect(await routed.checkAdapters({ runId: 'r1', epoch: 1, retries: 0 })).toEqual({ status: 'unavailable', message: 'no', details: {} });
    await routed.dispatchWorker(input());
    await routed.awaitCompletion(awaitInput(), new AbortController().signal);
    // A cancel, and a budget block (the run chart's cancelWorkers action), reach the queued attempts.
    await routed.cancelWorkers('r1');
    expect(calls).toEqual(['preflight', 'dispatch', 'await', 'cancelAll']);
    // The local effects were asked to cancel too (they have no attempts here), and never to dispatch.
    expect(local.calls.map((c) => c.effect)).toEqual(['cancelWorkers']);
  });
});
