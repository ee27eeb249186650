// Notifications of real runs: a run that becomes handoff-ready, blocks or
// pauses calls the configured command and webhook (a real loopback server)
// with its status JSON, once per transition; a failing notification is
// recorded and changes nothing.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { openProject } from '../../src/engine/project.js';
import { type Loopback, loopback } from '../notify/loopback.js';
import { agent, approvedRun, cleanup, git, makeRepo, markerFile, packet } from './fixtures/project.js';

const HOOK = resolve('test/notify/fixtures/notify-hook.mjs');
const servers: Loopback[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(cleanup);

/** A repository whose config notifies `notify`. */
function repoNotifying(notify: Record<string, unknown>): string {
  const repo = makeRepo({ sandbox: 'none' });
  const file = join(repo, '.buran', 'config.json');
  writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), notify }));
  return repo;
}

/** Every file under `dir` (relative path → content), to see that nothing was written. */
function folderBytes(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = join(prefix, name);
    if (statSync(join(dir, rel)).isDirectory()) Object.assign(out, folderBytes(dir, rel));
    else out[rel] = readFileSync(join(dir, rel), 'latin1');
  }
  return out;
}

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('notifications', () => {
  it('a run that becomes handoff-ready notifies the command and the webhook once with its status JSON', async () => {
    const server = await loopback();
    servers.push(server);
    const repo = makeRepo({ sandbox: 'none' });
    const out = markerFile(repo, 'notified.jsonl');
    writeFileSync(join(repo, '.buran', 'config.json'), JSON.stringify({ schema: 'buran.config/v1', sandbox: { mode: 'none' }, notify: { command: ['node', HOOK, out], webhook: server.url } }));
    const { project, runId } = await approvedRun(packet({ command: agent('ok') }), { repo });
    const result = await project.runner.drive(runId);
    expect(result.status).toBe('handoff_ready');

    const viaWebhook = StatusJsonSchema.parse(JSON.parse(server.bodies[0] ?? 'null'));
    const viaCommand = StatusJsonSchema.parse(JSON.parse(lines(out)[0] ?? 'null'));
    expect(viaWebhook).toMatchObject({ runId, status: 'handoff_ready', stage: 'readyForReview' });
    expect(viaCommand).toEqual(viaWebhook);
    const events = await project.runner.events(runId);
    const notes = events.filter((e) => e.type === 'notified' || e.type === 'notify_failed');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.data).toMatchObject({ status: 'handoff_ready', forSeq: events.find((e) => e.taskId === undefined && e.to === 'readyForReview')?.seq });

    // Re-driving and re-reading a run already handed off send nothing more.
    const again = await openProject({ cwd: repo });
    expect((await again.runner.drive(runId)).status).toBe('handoff_ready');
    await again.runner.inspect(runId);
    expect(server.bodies).toHaveLength(1);
    expect(lines(out)).toHaveLength(1);
  }, 60_000);

  it('a failing webhook is recorded as notify_failed after its tries and the run still reports blocked', async () => {
    const server = await loopback([500, 500]);
    servers.push(server);
    const repo = repoNotifying({ webhook: server.url, attempts: 2 });
    const { project, runId } = await approvedRun(packet({ command: agent('blocked') }), { repo });
    const result = await project.runner.drive(runId);
    expect(result.status).toBe('blocked');
    expect(server.bodies).toHaveLength(2);
    expect(StatusJsonSchema.parse(JSON.parse(server.bodies[0] ?? 'null')).status).toBe('blocked');
    const failed = (await project.runner.events(runId)).filter((e) => e.type === 'notify_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toMatchObject({ status: 'blocked', targets: [{ ok: false, tries: 2, error: 'HTTP 500' }] });
    expect(JSON.stringify(failed)).not.toContain('T0SECRET');
    // Not retried by the next driver: the transition was notified (and failed) once.
    expect((await project.runner.drive(runId)).status).toBe('blocked');
    expect(server.bodies).toHaveLength(2);
    expect((await project.runner.inspect(runId)).status).toBe('blocked');
  }, 60_000);

  it('pausing a run notifies once, and pausing it again after a resume notifies again', async () => {
    const server = await loopback();
    servers.push(server);
    const repo = repoNotifying({ webhook: server.url });
    const { project, runId } = await approvedRun(packet({ command: agent('ok') }), { repo });
    expect(server.bodies).toHaveLength(0);
    await project.runner.command(runId, { type: 'PAUSE', by: 'ana', reason: 'lunch' });
    expect(server.bodies.map((b) => (JSON.parse(b) as { status: string }).status)).toEqual(['paused']);
    await project.runner.command(runId, { type: 'RESUME', by: 'ana', reason: '' });
    await project.runner.command(runId, { type: 'PAUSE', by: 'ana', reason: 'again' });
    expect(server.bodies.map((b) => (JSON.parse(b) as { status: string }).status)).toEqual(['paused', 'paused']);
    expect((await project.runner.events(runId)).filter((e) => e.type === 'notified')).toHaveLength(2);
  }, 60_000);

  it('blocks found by looking at a run are notified once each: a moved handoff branch (per new tip) and tampered records, whose folder gets nothing written', async () => {
    const server = await loopback();
    servers.push(server);
    const repo = repoNotifying({ webhook: server.url });
    const { project, runId } = await approvedRun(packet({ command: agent('ok') }), { repo });
    expect((await project.runner.drive(runId)).status).toBe('handoff_ready');
    const blockers = () => server.bodies.map((b) => StatusJsonSchema.parse(JSON.parse(b))).map((s) => `${s.status} ${s.blocker?.code ?? '-'}`);
    expect(blockers()).toEqual(['handoff_ready -']);

    const branch = `buran/${runId}`;
    const handedOff = git(repo, 'rev-parse', branch).trim();
    git(repo, 'update-ref', `refs/heads/${branch}`, git(repo, 'rev-parse', 'main').trim());
    expect((await project.runner.drive(runId)).blocker?.code).toBe('handoff_moved');
    expect((await project.runner.drive(runId)).blocker?.code).toBe('handoff_moved');
    expect(blockers()).toEqual(['handoff_ready -', 'blocked handoff_moved']);
    // Moved again, to a new tip: a new finding, told once more.
    const another = git(repo, 'commit-tree', `${handedOff}^{tree}`, '-p', handedOff, '-m', 'an edit after handoff').trim();
    git(repo, 'update-ref', `refs/heads/${branch}`, another);
    expect((await project.runner.drive(runId)).blocker?.code).toBe('handoff_moved');
    expect(blockers()).toEqual(['handoff_ready -', 'blocked handoff_moved', 'blocked handoff_moved']);

    // A record changed outside buran: told once; the run folder stays exactly as it was found.
    const runDir = project.store.runDir(runId);
    writeFileSync(join(runDir, 'sandbox.json'), '{"kind":"none","note":"edited by hand"}\n');
    const before = folderBytes(runDir);
    expect((await project.runner.drive(runId)).blocker?.code).toBe('evidence_tampered');
    expect((await (await openProject({ cwd: repo })).runner.drive(runId)).blocker?.code).toBe('evidence_tampered');
    expect(blockers()).toEqual(['handoff_ready -', 'blocked handoff_moved', 'blocked handoff_moved', 'blocked evidence_tampered']);
    expect(folderBytes(runDir)).toEqual(before);
    expect(readdirSync(join(repo, '.buran', 'notify-state'))).toEqual([`${runId}.json`]);
  }, 90_000);
});
