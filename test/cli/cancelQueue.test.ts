// buran cancel of a run whose queued attempts Redis cannot confirm: the run is
// cancelled, the command says which attempts are not confirmed and exits 3,
// and the log and `buran status` keep it; never "done" on a cancel nobody confirmed.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { closeQueues } from '../../src/queue/openQueues.js';
import { agent, approvedRun, cleanup, git, packet } from '../engine/fixtures/project.js';
import { buranIn } from '../inspect/fixtures/cli.js';

afterAll(async () => {
  await closeQueues();
  await cleanup();
});

describe('buran cancel with queued attempts and no Redis', () => {
  it('cancels the run, prints "not confirmed" naming the attempt and exits 3; the log keeps it as hook_failed', async () => {
    const { repo, project, runId } = await approvedRun(packet({ command: agent('ok') }));
    const configFile = join(repo, '.buran', 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    // Nothing listens on port 1: the queue's preflight is refused at once.
    writeFileSync(configFile, `${JSON.stringify({ ...config, queue: { url: 'redis://127.0.0.1:1', remote: join(repo, 'remote.git') } })}\n`);
    // An attempt the run sent to the queue earlier.
    const base = git(repo, 'rev-parse', 'HEAD').trim();
    mkdirSync(join(project.store.runDir(runId), 'queue'), { recursive: true });
    writeFileSync(join(project.store.runDir(runId), 'queue', 'alpha.a1.json'), `${JSON.stringify({ schema: 'buran.queued-attempt/v1', attemptId: 'alpha.a1', taskId: 'alpha', baseCommit: base, addedAt: 1, agent: null })}\n`);

    const r = await buranIn(repo, 'cancel', '--run', runId, '--reason', 'test');
    expect(r.code).toBe(3);
    expect(r.out).toContain(`run ${runId}: cancelled`);
    expect(r.err).toMatch(/not confirmed: cancelWorkers: run .* the queue at redis:\/\/127\.0\.0\.1:1 did not confirm the cancel of 1 queued attempt\(s\) \(alpha\.a1\)/);
    expect(r.err).toContain('treat these attempts as running');
    const events = (await project.runner.events(runId)).filter((e) => e.type === 'hook_failed');
    expect(events.map((e) => [e.data['hook'], e.data['code'], e.data['details']])).toEqual([['cancelWorkers', 'queue_unavailable', expect.objectContaining({ unconfirmed: ['alpha.a1'] })]]);

    // Later, `buran status` still says so: the cancel is not shown as done.
    const json = await buranIn(repo, 'status', '--run', runId, '--json');
    const status = StatusJsonSchema.parse(JSON.parse(json.out));
    expect(status.status).toBe('cancelled');
    expect(status.unconfirmed).toEqual([expect.objectContaining({ hook: 'cancelWorkers', code: 'queue_unavailable', at: events[0]?.ts ?? null, message: expect.stringContaining('alpha.a1') as unknown })]);
    expect(status.unconfirmed[0]?.nextSafeAction?.text).toContain('treat these attempts as running');
    // The run has nothing more to do but what the cancel left unconfirmed: that is its next safe action.
    expect(status.nextSafeAction).toEqual(status.unconfirmed[0]?.nextSafeAction);
    const text = await buranIn(repo, 'status', '--run', runId);
    expect(text.out).toMatch(/\n {2}not confirmed: cancelWorkers: .*alpha\.a1/);
  }, 60_000);
});
