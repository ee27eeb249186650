// The packet's setup through the charts with the in-memory effects twin: where
// a failing setup blocks (run worktree, task worktree, a verification
// checkout), that each is setup_failed and retryable, and what the report shows.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { buildReport, reportMarkdown } from '../../src/engine/report.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

/** A run whose setup fails once in `failIn` (a `where`: `run`, `task api`, `verify task-api`, `verify run`), then passes. */
async function runFailingOnceIn(failIn: string) {
  const failed = new Set<string>();
  const effects = createScriptedEffects({
    setup: (where) => {
      if (where !== failIn || failed.has(where)) return 'ok';
      failed.add(where);
      return 'failed';
    },
  });
  const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects });
  await runner.createRun({ runId: 'r1', record: {}, input: { runId: 'r1', approvedHash: 'sha256:x', tasks: [{ id: 'api', dependsOn: [], scope: ['a'] }], limits: DEFAULT_LIMITS } });
  return { runner, effects, blocked: await runner.drive('r1') };
}

describe('setup through the charts', () => {
  for (const [where, stage] of [['run', 'run'], ['task api', 'task'], ['verify task-api', 'task'], ['verify run', 'run']] as const) {
    it(`a failing setup in ${where} blocks setup_failed (retryable), and retry reaches handoff`, async () => {
      const { runner, blocked } = await runFailingOnceIn(where);
      expect(blocked.status).toBe('blocked');
      expect(blocked.blocker?.code).toBe('setup_failed');
      expect(blocked.snapshot.context.allowedDecisions).toEqual(['retry', 'cancel', 'abandon']);
      expect(blocked.snapshot.context.blockedTaskId).toBe(stage === 'task' ? 'api' : null);
      expect(JSON.stringify(blocked.blocker)).toContain(where);
      await runner.command('r1', { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'fixed setup' });
      const done = await runner.drive('r1');
      expect(done.blocker).toBeNull();
      expect(done.status).toBe('handoff_ready');
    });
  }

  it('a task whose setup failed starts no worker; after retry the dispatch is asked again for the same attempt', async () => {
    const { runner, effects } = await runFailingOnceIn('task api');
    expect(effects.calls.filter((c) => c.effect === 'awaitCompletion')).toHaveLength(0);
    await runner.command('r1', { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'fixed setup' });
    await runner.drive('r1');
    const dispatched = effects.calls.filter((c) => c.effect === 'dispatchWorker').map((c) => (c.input as { attempt: { attemptId: string } }).attempt.attemptId);
    expect(dispatched).toEqual(['api.a1', 'api.a1']);
  });

  it("a setup that failed on a worker agent blocks the task setup_failed with the local blocker's next safe action, at once (no worker-lost retry); retry starts a new attempt", async () => {
    const record = (status: 'ok' | 'failed') => ({ where: 'task api on worker agent m1', status, commands: [{ argv: ['npm', 'ci'], exitCode: status === 'ok' ? 0 : 1, timedOut: false, durationMs: 3, evidence: `sha256:${'1'.repeat(64)}` }] });
    const effects = createScriptedEffects({
      worker: ({ attempt }) =>
        attempt.attemptId === 'api.a1'
          ? { kind: 'setup_failed', reason: 'setup command ["npm","ci"] failed in task api on worker agent m1 (exit code 1)', details: { where: 'task api on worker agent m1', command: ['npm', 'ci'], exitCode: 1 }, setup: record('failed') }
          : { kind: 'completion', status: 'completed', digest: `d-${attempt.attemptId}`, summary: 'done', changedFiles: ['a'], usage: null, setup: record('ok') },
    });
    const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects });
    // maxAttempts 3: a worker-lost outcome would have been retried without a person.
    await runner.createRun({ runId: 'r1', record: {}, input: { runId: 'r1', approvedHash: 'sha256:x', tasks: [{ id: 'api', dependsOn: [], scope: ['a'] }], limits: { ...DEFAULT_LIMITS, maxAttempts: 3 } } });
    const blocked = await runner.drive('r1');
    expect(blocked.status).toBe('blocked');
    expect(blocked.blocker).toMatchObject({ code: 'setup_failed', message: expect.stringContaining('on worker agent m1 (exit code 1)') as unknown, details: { taskId: 'api', attemptId: 'api.a1', command: ['npm', 'ci'] } });
    const local = (await runFailingOnceIn('task api')).blocked.blocker;
    expect(blocked.blocker?.nextSafeAction).toEqual(local?.nextSafeAction);
    expect(blocked.snapshot.context.allowedDecisions).toEqual(['retry', 'cancel', 'abandon']);
    await runner.command('r1', { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'agent fixed' });
    const done = await runner.drive('r1');
    expect(done.status).toBe('handoff_ready');
    const dispatched = effects.calls.filter((c) => c.effect === 'dispatchWorker').map((c) => (c.input as { attempt: { attemptId: string } }).attempt.attemptId);
    expect(dispatched).toEqual(['api.a1', 'api.a2']);
    const report = buildReport(done.snapshot, await runner.events('r1'));
    expect(report.setup.map((s) => `${s.where} ${s.status}`)).toEqual(['task api on worker agent m1 failed', 'task api on worker agent m1 ok']);
  });

  it('the report lists the setup of the run and task worktrees with each command\'s exit code and duration', async () => {
    const { runner } = await runFailingOnceIn('task api');
    await runner.command('r1', { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'fixed setup' });
    const done = await runner.drive('r1');
    const report = buildReport(done.snapshot, await runner.events('r1'));
    expect(report.setup.map((s) => `${s.where} ${s.status}`)).toEqual(['run ok', 'task api failed', 'task api ok']);
    const md = reportMarkdown(report);
    expect(md).toContain('## Setup');
    expect(md).toContain('| task api | failed | setup (1, 1) |');
  });
});
