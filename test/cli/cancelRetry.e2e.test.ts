// A cancel the queue did not confirm is asked again by `buran cancel` on the
// cancelled run: still "not confirmed" (exit 3) while Redis is away, confirmed
// (exit 0, a hook_confirmed event, nothing left in status) once a real
// redis-server answers. Never reported as done before it is.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { closeQueues } from '../../src/queue/openQueues.js';
import { type RedisServer, freePort, startRedis } from '../chaos/support/redisServer.js';
import { agent, approvedRun, cleanup, git, packet } from '../engine/fixtures/project.js';
import { buranIn } from '../inspect/fixtures/cli.js';

let redis: RedisServer | null = null;

afterAll(async () => {
  await closeQueues();
  await redis?.stop();
  await cleanup();
});

describe('buran cancel on a cancelled run whose cancel was not confirmed', () => {
  it('asks the queue again: not confirmed while Redis is away, confirmed once it answers', async () => {
    const { repo, project, runId } = await approvedRun(packet({ command: agent('ok') }));
    const configFile = join(repo, '.buran', 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    const useQueue = (url: string) => writeFileSync(configFile, `${JSON.stringify({ ...config, queue: { url, remote: join(repo, 'remote.git') } })}\n`);
    // Nothing listens on this port yet; an attempt the run sent to the queue earlier.
    useQueue(`redis://127.0.0.1:${await freePort()}`);
    mkdirSync(join(project.store.runDir(runId), 'queue'), { recursive: true });
    writeFileSync(join(project.store.runDir(runId), 'queue', 'alpha.a1.json'), `${JSON.stringify({ schema: 'buran.queued-attempt/v1', attemptId: 'alpha.a1', taskId: 'alpha', baseCommit: git(repo, 'rev-parse', 'HEAD').trim(), addedAt: 1, agent: null })}\n`);

    const first = await buranIn(repo, 'cancel', '--run', runId, '--reason', 'stop');
    expect([first.code, first.err]).toEqual([3, expect.stringContaining('not confirmed: cancelWorkers')]);
    const again = await buranIn(repo, 'cancel', '--run', runId, '--reason', 'still away');
    expect([again.code, again.out]).toEqual([3, `run ${runId}: cancelled (cancelled)`]);
    expect(again.err).toContain('not confirmed: cancelWorkers');
    const away = StatusJsonSchema.parse(JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out));
    expect(away.unconfirmed.map((u) => u.hook)).toEqual(['cancelWorkers']);
    // What to do next is the command that asks again.
    expect(away.nextSafeAction.command).toBe(`buran cancel --run ${runId} --reason "ask the queue again"`);

    redis = await startRedis();
    useQueue(redis.url);
    const back = await buranIn(repo, 'cancel', '--run', runId, '--reason', 'redis is back');
    expect([back.code, back.out, back.err]).toEqual([0, `run ${runId}: cancelled (cancelled)\nconfirmed: cancelWorkers (asked again)`, '']);
    const events = await project.runner.events(runId);
    expect(events.filter((e) => e.type.startsWith('hook_')).map((e) => [e.type, e.data['reason'] ?? null])).toEqual([
      ['hook_failed', null],
      ['hook_failed', 'still away'],
      ['hook_confirmed', 'redis is back'],
    ]);
    const status = StatusJsonSchema.parse(JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out));
    expect([status.status, status.unconfirmed]).toEqual(['cancelled', []]);
    expect(status.nextSafeAction.text).not.toContain('treat these attempts as running');

    // Nothing is left to ask: cancelling again is refused like on any cancelled run.
    const refused = await buranIn(repo, 'cancel', '--run', runId, '--reason', 'once more');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('is cancelled: CANCEL is not allowed there');
  }, 90_000);
});
