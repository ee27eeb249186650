// CLI conventions: the default run, exit codes of commands that did what was
// asked, status --exit-status, --json on every command, and a run another
// process drives. In process, on real repositories and run folders.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { processStartTime } from '../../src/platform/process.js';
import { agent, approvedRun, cleanup, makeRepo, packet, writePacket } from '../engine/fixtures/project.js';
import { buranIn } from '../inspect/fixtures/cli.js';

afterAll(cleanup);

describe('buran CLI conventions', () => {
  it('--run defaults to the most recent run and says which on stderr', async () => {
    const repo = makeRepo();
    const { runId: first } = await approvedRun(packet({ command: agent('ok'), id: 'first' }), { repo, name: 'first.json' });
    const { runId: second } = await approvedRun(packet({ command: agent('ok'), id: 'second' }), { repo, name: 'second.json' });
    const report = await buranIn(repo, 'report', '--json');
    expect(report.code).toBe(0);
    expect(report.err).toBe(`using run ${second} (most recent)`);
    expect((JSON.parse(report.out) as { runId: string }).runId).toBe(second);
    const named = await buranIn(repo, 'report', '--run', first, '--format', 'json');
    expect(named.err).toBe('');
    expect((JSON.parse(named.out) as { runId: string }).runId).toBe(first);
    const none = await buranIn(makeRepo(), 'events');
    expect(none.code).toBe(2);
    expect(none.err).toContain('no runs yet');
  });

  it('pause, resume, cancel and unblock exit 0 when done; status exits 0 unless --exit-status asks for the state', async () => {
    const { repo, runId } = await approvedRun(packet({ command: agent('ok') }));
    for (const [cmd, status] of [['pause', 'paused'], ['resume', 'queued'], ['cancel', 'cancelled']] as const) {
      const r = await buranIn(repo, cmd, '--run', runId, '--json', '--reason', 'test');
      expect(r.code, cmd).toBe(0);
      expect(JSON.parse(r.out)).toEqual({ runId, status, stage: expect.any(String) as string, queued: null, hookFailures: [], hooksConfirmed: [] });
    }
    expect((await buranIn(repo, 'status', '--run', runId)).code).toBe(0);
    expect((await buranIn(repo, 'status', '--run', runId, '--exit-status')).code).toBe(4);
    expect((await buranIn(repo, 'cancel', '--run', runId)).code).toBe(2);

    const blocked = await approvedRun(packet({ command: ['no-such-agent-xyz'] }), { repo, name: 'blocked.json' });
    expect((await buranIn(repo, 'run', '--run', blocked.runId)).code).toBe(3);
    expect((await buranIn(repo, 'status', '--run', blocked.runId, '--exit-status')).code).toBe(3);
    const unblock = await buranIn(repo, 'unblock', '--run', blocked.runId, '--decision', 'abandon');
    expect(unblock.code).toBe(0);
    expect(unblock.out).toContain('failed');
  });

  it('every command takes --json', async () => {
    const repo = makeRepo();
    const file = writePacket(repo, packet({ command: agent('ok') }));
    const init = await buranIn(repo, 'init', '--json');
    expect(JSON.parse(init.out)).toHaveProperty('storeDir');
    expect(JSON.parse((await buranIn(repo, 'validate', file, '--json')).out)).toHaveProperty('valid', true);
    const { runId } = JSON.parse((await buranIn(repo, 'approve', file, '--json')).out) as { runId: string };
    expect(JSON.parse((await buranIn(repo, 'status', '--json')).out)).toHaveLength(1);
    expect(StatusJsonSchema.parse(JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out)).status).toBe('queued');
    expect(JSON.parse((await buranIn(repo, 'report', '--json')).out)).toHaveProperty('schema', 'buran.report/v1');
    expect(JSON.parse((await buranIn(repo, 'pause', '--json')).out)).toHaveProperty('status', 'paused');
    expect(JSON.parse((await buranIn(repo, 'schema', 'status', '--json')).out)).toHaveProperty('type', 'object');
    expect(JSON.parse((await buranIn(repo, 'machine', 'export', '--json')).out)).toHaveProperty('id');
    const inspect = await buranIn(repo, 'inspect', '--json');
    expect(JSON.parse(inspect.out)).toEqual({ runId, file: join(repo, '.buran', 'inspect', `${runId}.html`) });
  });

  it('status of a run another process drives names the process instead of suggesting buran run', async () => {
    const { repo, project, runId } = await approvedRun(packet({ command: agent('ok') }));
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = holder.pid ?? 0;
      const since = '2026-01-02T03:04:05.000Z';
      writeFileSync(join(project.store.runDir(runId), 'lock'), `${JSON.stringify({ pid, startTime: processStartTime(pid), host: hostname(), nonce: 'n1', acquiredAt: since })}\n`);
      const text = await buranIn(repo, 'status', '--run', runId);
      expect(text.out).toContain(`driven by pid ${pid} since ${since}`);
      expect(text.out).toContain(`buran events --run ${runId} --follow`);
      expect(text.out).not.toContain(`buran run --run ${runId}`);
      const json = StatusJsonSchema.parse(JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out));
      expect(json.driver).toEqual({ pid, host: hostname(), since });
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((r) => holder.once('exit', r));
    const after = StatusJsonSchema.parse(JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out));
    expect(after.driver).toBeNull();
    expect(after.nextSafeAction.command).toBe(`buran run --run ${runId}`);
  });
});
