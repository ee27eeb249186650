// `buran run` as a real process with a webhook that keeps failing: the run
// still hands off (exit 0), stdout stays NDJSON, and stderr says what failed.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { EventRecordSchema } from '../../src/domain/events.js';
import { agent, approvedRun, cleanup, makeRepo, packet } from '../engine/fixtures/project.js';
import { loopback } from '../notify/loopback.js';

const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI = resolve('test/cli/fixtures/buran.ts');
afterAll(cleanup);

function buran(cwd: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', loader, CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

it('a failing notification is said on stderr and changes neither the run nor the exit code', async () => {
  const server = await loopback([500, 500]);
  try {
    const repo = makeRepo({ sandbox: 'none' });
    const file = join(repo, '.buran', 'config.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), notify: { webhook: server.url, attempts: 2 } }));
    const { runId } = await approvedRun(packet({ command: agent('ok') }), { repo });
    const run = await buran(repo, 'run', '--run', runId, '--json');
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => EventRecordSchema.parse(JSON.parse(line)));
    expect(events.filter((e) => e.type === 'notify_failed')).toHaveLength(1);
    expect(run.stderr).toContain(`notification failed (run ${runId}, handoff_ready): webhook: ${new URL(server.url).origin}: HTTP 500`);
    expect(server.bodies).toHaveLength(2);
  } finally {
    await server.close();
  }
}, 60_000);
