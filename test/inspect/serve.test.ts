// buran inspect as a command: a real served process that follows a run
// driven by another process, a clean stop on SIGINT, and bad input mapped to
// stable codes at the CLI boundary.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InspectModel } from '../../src/inspect/model.js';
import { agent, approvedRun, cleanup, packet, waitFor } from '../engine/fixtures/project.js';
import { type CliProcess, buranIn, servedUrl, spawnBuran } from './fixtures/cli.js';

const servers: CliProcess[] = [];
afterAll(async () => {
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await cleanup();
});

async function state(url: string): Promise<InspectModel> {
  const response = await fetch(new URL('state.json', url));
  expect(response.status).toBe(200);
  return (await response.json()) as InspectModel;
}

/** The status of GET <path> sent with this Host header (fetch does not let a caller set Host). */
function statusWithHost(port: number, host: string, path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('buran inspect --serve', () => {
  it('serves the live page and state.json on 127.0.0.1, follows the run as another process advances it, and stops cleanly on SIGINT', async () => {
    const { repo, project, runId } = await approvedRun(packet({ command: agent('ok') }));
    const server = spawnBuran(repo, 'inspect', '--run', runId, '--serve');
    servers.push(server);
    const url = await waitFor('the served URL', () => servedUrl(server), 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${server.output()}`);
    });
    expect(new URL(url).hostname).toBe('127.0.0.1');

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('"live":true');
    expect(html).toContain('id="run-chart"');

    const before = await state(url);
    expect(before.runId).toBe(runId);
    expect(before.events).toHaveLength(0);
    expect(before.status.stage).toBe('active.intake');

    // This test process drives one transition; the server process must see it on its next read.
    const step = await project.runner.drive(runId, { step: true });
    const after = await state(url);
    expect(after.events.length).toBeGreaterThan(0);
    expect(after.events).toHaveLength(step.lastSeq);
    expect(after.status.stage).toBe(step.stage);
    expect(after.status.stage).not.toBe(before.status.stage);
    expect(after.frames.at(-1)?.run).toBe(step.stage);

    expect((await fetch(new URL('nope', url))).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);

    // DNS rebinding: a page whose own name now resolves to 127.0.0.1 sends that name as Host.
    const port = Number(new URL(url).port);
    const statePath = new URL('state.json', url).pathname;
    expect(await statusWithHost(port, `evil.example:${port}`, statePath)).toBe(421);
    expect(await statusWithHost(port, '127.0.0.1', statePath)).toBe(421);
    expect(await statusWithHost(port, `localhost:${port}`, statePath)).toBe(200);
    expect(await statusWithHost(port, `127.0.0.1:${port}`, statePath)).toBe(200);

    // Another process of the machine (a worker shares the network) that does not know the printed path reads nothing.
    const token = new URL(url).pathname.split('/')[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(24);
    for (const path of ['/', '/state.json', `/${token.slice(0, -1)}/state.json`, `/${token}x/state.json`, '/index.html']) {
      expect(await statusWithHost(port, `127.0.0.1:${port}`, path), path).toBe(404);
    }
    expect(await statusWithHost(port, `127.0.0.1:${port}`, `/${token}`)).toBe(308);

    server.child.kill('SIGINT');
    const exit = await server.exited;
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toContain('stopped (SIGINT)');
    await expect(fetch(url)).rejects.toThrow();
  }, 45_000);
});

describe('buran inspect, in process', () => {
  it('writes the page to --out, and by default under .buran/inspect/', async () => {
    const { repo, runId } = await approvedRun(packet({ command: agent('ok') }));
    const out = join(repo, 'page.html');
    const written = await buranIn(repo, 'inspect', '--run', runId, '--out', out);
    expect(written.code, written.err).toBe(0);
    expect(written.out).toBe(`wrote ${out}`);
    expect(readFileSync(out, 'utf8')).toContain(`<code id="run-id">${runId}</code>`);
    const byDefault = await buranIn(repo, 'inspect', '--run', runId);
    expect(byDefault.code, byDefault.err).toBe(0);
    expect(readFileSync(join(repo, '.buran', 'inspect', `${runId}.html`), 'utf8')).toContain('"live":false');
  });

  it('refuses an unknown run (not_found), a bad port and --port without --serve (invalid_input), each with exit 2', async () => {
    const { repo } = await approvedRun(packet({ command: agent('ok') }));
    const unknown = await buranIn(repo, 'inspect', '--run', 'no-such-run');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('error [not_found]: no run no-such-run');
    const badPort = await buranIn(repo, 'inspect', '--run', 'no-such-run', '--serve', '--port', '70000');
    expect(badPort.code).toBe(2);
    expect(badPort.err).toContain('error [invalid_input]: --port');
    const portAlone = await buranIn(repo, 'inspect', '--run', 'no-such-run', '--port', '8080');
    expect(portAlone.code).toBe(2);
    expect(portAlone.err).toContain('error [invalid_input]: --port needs --serve');
    const notAnId = await buranIn(repo, 'inspect', '--run', '../etc');
    expect(notAnId.code).toBe(2);
  });
});
