// The in-memory twin keeps the port's promises a driver relies on: one job per
// attempt id, re-attach by id, cancel ends a job wherever it is.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/domain/config.js';
import { ATTEMPT_JOB_SCHEMA_ID, ATTEMPT_RESULT_SCHEMA_ID, type AttemptJob, AttemptJobSchema, AttemptResultSchema } from '../../src/queue/attemptJob.js';
import { createMemoryAttemptQueue } from '../../src/queue/memoryQueue.js';

const job = (attemptId: string): AttemptJob => ({
  schema: ATTEMPT_JOB_SCHEMA_ID,
  runId: 'r1',
  taskId: attemptId.split('.')[0] ?? 'a',
  attemptId,
  attempt: 1,
  epoch: 1,
  remote: '/srv/remote.git',
  baseCommit: 'a'.repeat(40),
  worker: { adapter: 'command', command: ['node', 'agent.mjs'] },
  config: DEFAULT_CONFIG,
  sandbox: { mode: 'auto', network: true, writable: [] },
  prompt: { task: { id: 'a', title: 't', instructions: 'i', acceptance: [], scope: [] }, packet: { title: 't', goal: 'g' }, findings: [] },
  timeoutMs: 60_000,
  heartbeatTimeoutMs: 10_000,
});

describe('the attempt queue (in-memory twin) and its formats', () => {
  it('adds one job per attempt id and finds it again by that id', async () => {
    const q = createMemoryAttemptQueue();
    expect(await q.add(job('a.a1'))).toEqual({ added: true });
    expect(await q.add(job('a.a1'))).toEqual({ added: false });
    expect(await q.find('r1.a.a1')).toEqual({ state: 'waiting', agent: null });
    expect(q.take('m1')?.attemptId).toBe('a.a1');
    expect(q.take('m2')).toBeNull();
    expect(await q.find('r1.a.a1')).toEqual({ state: 'active', agent: 'm1' });
    q.finish('r1.a.a1', { reason: 'job stalled more than allowable limit', stalled: true });
    expect(await q.find('r1.a.a1')).toMatchObject({ state: 'failed', agent: 'm1', stalled: true });
    expect(await q.find('b.a1')).toEqual({ state: 'absent' });
  });

  it('the same attempt id in two runs is two jobs (job id = run id + attempt id): neither finds, nor cancels, the other', async () => {
    const q = createMemoryAttemptQueue();
    expect(await q.add(job('a.a1'))).toEqual({ added: true });
    expect(await q.add({ ...job('a.a1'), runId: 'r2' })).toEqual({ added: true });
    await q.cancel('r1.a.a1');
    expect(await q.find('r1.a.a1')).toMatchObject({ state: 'failed' });
    expect(await q.find('r2.a.a1')).toEqual({ state: 'waiting', agent: null });
    expect(q.take('m1')).toMatchObject({ runId: 'r2', attemptId: 'a.a1' });
  });

  it('cancel ends a waiting or taken job; the job is never handed out afterwards', async () => {
    const q = createMemoryAttemptQueue();
    await q.add(job('a.a1'));
    await q.cancel('r1.a.a1');
    expect(q.take('m1')).toBeNull();
    expect(await q.find('r1.a.a1')).toMatchObject({ state: 'failed', stalled: false });
    expect(q.cancelled).toEqual(['r1.a.a1']);
  });

  it('a job and a result pass their schemas; an attempt id that could escape a folder or ref does not', () => {
    expect(AttemptJobSchema.safeParse(job('a.a1')).success).toBe(true);
    expect(AttemptJobSchema.safeParse(job('../x')).success).toBe(false);
    expect(AttemptJobSchema.safeParse({ ...job('a.a1'), baseCommit: 'main' }).success).toBe(false);
    const result = { schema: ATTEMPT_RESULT_SCHEMA_ID, attemptId: 'a.a1', agent: 'm1', status: 'started', outcome: { kind: 'timeout', reason: 'wall' }, commit: null, message: null, startedAt: 1, endedAt: 2 };
    expect(AttemptResultSchema.safeParse(result).success).toBe(true);
    expect(AttemptResultSchema.safeParse({ ...result, outcome: { kind: 'completion', status: 'completed' } }).success).toBe(false);
  });

  it("a job may carry the packet's setup (argv commands and their bound); a result may carry setup's evidence and outputs, or say it failed", () => {
    const withSetup = { ...job('a.a1'), setup: { commands: [['sh', '-c', 'npm ci']], timeoutMs: 600_000 } };
    expect(AttemptJobSchema.safeParse(withSetup).success).toBe(true);
    expect(AttemptJobSchema.safeParse({ ...withSetup, setup: { commands: [], timeoutMs: 1 } }).success).toBe(false);
    expect(AttemptJobSchema.safeParse({ ...withSetup, setup: { commands: [[]], timeoutMs: 1 } }).success).toBe(false);
    expect(AttemptJobSchema.safeParse({ ...withSetup, setup: { commands: [['true']], timeoutMs: 1, env: ['SECRET'] } }).success).toBe(false);
    const evidence = { argv: ['npm', 'ci'], exitCode: 1, timedOut: false, durationMs: 12, stdoutTail: '', stderrTail: 'npm ERR! offline' };
    const failed = { schema: ATTEMPT_RESULT_SCHEMA_ID, attemptId: 'a.a1', agent: 'm1', status: 'setup_failed', outcome: null, setup: { status: 'failed', commands: [evidence], outputs: [] }, commit: null, message: 'setup command failed', startedAt: 1, endedAt: 2 };
    expect(AttemptResultSchema.safeParse(failed).success).toBe(true);
    const ran = { ...failed, status: 'started', outcome: { kind: 'timeout', reason: 'wall' }, setup: { status: 'ok', commands: [{ ...evidence, exitCode: 0 }], outputs: ['node_modules'] } };
    expect(AttemptResultSchema.safeParse(ran).success).toBe(true);
    expect(AttemptResultSchema.safeParse({ ...ran, setup: { ...ran.setup, commands: [] } }).success).toBe(false);
    expect(AttemptResultSchema.safeParse({ ...ran, setup: { ...ran.setup, commands: [{ ...evidence, extra: 1 }] } }).success).toBe(false);
    expect(AttemptResultSchema.safeParse({ ...ran, status: 'skipped' }).success).toBe(false);
  });
});
