import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotifySchema } from '../../src/domain/config.js';
import { deliverNotification } from '../../src/notify/deliver.js';
import { type Loopback, loopback } from './loopback.js';

const HOOK = resolve('test/notify/fixtures/notify-hook.mjs');
const servers: Loopback[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const serve = async (statuses: number[] = []) => {
  const s = await loopback(statuses);
  servers.push(s);
  return s;
};
const outFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'buran-notify-'));
  dirs.push(dir);
  return join(dir, 'hook.out');
};
const options = { cwd: process.cwd(), env: process.env, backoffMs: 20 };
const payload = JSON.stringify({ runId: 'r1', status: 'blocked' });

describe('deliverNotification', () => {
  it('POSTs the payload as JSON to the webhook and names only its origin', async () => {
    const server = await serve();
    const results = await deliverNotification(NotifySchema.parse({ webhook: server.url }), payload, options);
    expect(server.bodies).toEqual([payload]);
    expect(server.headers[0]).toMatchObject({ method: 'POST', path: '/hooks/T0SECRET/path', 'content-type': 'application/json' });
    expect(results).toEqual([{ target: `webhook: ${new URL(server.url).origin}`, ok: true, tries: 1, error: null }]);
    expect(JSON.stringify(results)).not.toContain('T0SECRET');
  });

  it('retries a webhook that answers 5xx, and reports the last answer once the tries are spent', async () => {
    const flaky = await serve([500, 503]);
    expect(await deliverNotification(NotifySchema.parse({ webhook: flaky.url }), payload, options)).toMatchObject([{ ok: true, tries: 3 }]);
    expect(flaky.bodies).toHaveLength(3);
    const down = await serve([500, 500, 502]);
    expect(await deliverNotification(NotifySchema.parse({ webhook: down.url }), payload, options)).toMatchObject([{ ok: false, tries: 3, error: 'HTTP 502' }]);
  });

  it('reports a webhook nobody listens on as failed, without throwing', async () => {
    const server = await serve();
    const url = server.url;
    await server.close();
    servers.splice(0);
    const [result] = await deliverNotification(NotifySchema.parse({ webhook: url, attempts: 2 }), payload, options);
    expect(result).toMatchObject({ ok: false, tries: 2 });
    expect(result?.error).toMatch(/fetch failed: .*ECONNREFUSED/);
  });

  it('gives the command the payload on stdin and retries it while it fails', async () => {
    const out = outFile();
    const results = await deliverNotification(NotifySchema.parse({ command: ['node', HOOK, out, '1'] }), payload, options);
    expect(results).toEqual([{ target: 'command: node', ok: true, tries: 2, error: null }]);
    expect(readFileSync(out, 'utf8')).toBe(`${payload}\n${payload}\n`);
  });

  it('reports a command that keeps failing with its exit code and stderr, and one that does not exist', async () => {
    const out = outFile();
    const both = await deliverNotification(NotifySchema.parse({ command: ['node', HOOK, out, '9'], attempts: 2 }), payload, options);
    expect(both).toEqual([{ target: 'command: node', ok: false, tries: 2, error: 'exit 1: hook refused try 2' }]);
    const [missing] = await deliverNotification(NotifySchema.parse({ command: ['no-such-notifier-xyz'], attempts: 1 }), payload, options);
    expect(missing).toMatchObject({ ok: false, tries: 1 });
    expect(missing?.error).toContain('ENOENT');
  });

  it('sends nothing when no target is configured', async () => {
    expect(await deliverNotification(NotifySchema.parse({}), payload, options)).toEqual([]);
  });
});
