// Evidence checked on every read: a real run through the CLI on a real git
// repository (sandbox none, the claude fixture as worker and reviewer, a
// verification command that fails at epoch 1), then the edits a hostile
// worker could make to its stored evidence. Every command that shows or relies
// on the run — status, report, inspect, unblock, run — reports the same
// evidence_tampered naming the file; nothing is repaired.
import { chmodSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacketInput } from '../../src/domain/packet.js';
import { sha256 } from '../../src/domain/hash.js';
import { openProject } from '../../src/engine/project.js';
import { loadInspectModel } from '../../src/inspect/loadModel.js';
import { buranIn } from '../inspect/fixtures/cli.js';
import { approvedRun, cleanup, makeRepo, markerFile } from './fixtures/project.js';

afterAll(cleanup);

const CLAUDE = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/agents/bin/claude');
// Fails the first time it runs (exit 1), passes afterwards: the counter lives outside the repository.
const FAIL_ONCE = "const fs=require('fs');const f=process.argv[1];const n=fs.existsSync(f)?Number(fs.readFileSync(f,'utf8')):0;fs.writeFileSync(f,String(n+1));process.exit(n===0?1:0)";

let repo = '';
let runId = '';
let artifactsDir = '';

beforeAll(async () => {
  repo = makeRepo({ sandbox: 'none' });
  writeFileSync(join(repo, '.buran', 'config.json'), JSON.stringify({ schema: 'buran.config/v1', sandbox: { mode: 'none' }, adapters: { claude: { executable: CLAUDE } } }));
  const value: PacketInput = {
    schema: 'buran.packet/v1',
    id: 'evidence-on-read',
    title: 'Evidence on read',
    goal: 'Leave a FAIL verification record, a packet copy and a verdict behind.',
    tasks: [{ id: 'alpha', title: 'Write src/alpha.txt', instructions: 'Write the file src/alpha.txt.\nfixture-worker: success\nfixture-reviewer: pass', scope: ['src/alpha.txt'], acceptance: ['src/alpha.txt exists'] }],
    verify: [['node', '-e', FAIL_ONCE, markerFile(repo, 'verify-count')]],
    worker: { adapter: 'claude' },
    review: { reviewer: 'claude' },
    limits: { heartbeatTimeoutSec: 10, taskTimeoutSec: 60, maxAttempts: 1, maxFixRounds: 1 },
  };
  const approved = await approvedRun(value, { repo });
  runId = approved.runId;
  artifactsDir = join(approved.project.store.runDir(runId), 'artifacts');
  const run = await buranIn(repo, 'run', '--run', runId);
  expect(run.code, run.out + run.err).toBe(0);
}, 120_000);

/** The artifact whose JSON satisfies `match`, by file name. */
function artifactWhere(match: (value: Record<string, unknown>) => boolean): string {
  for (const name of readdirSync(artifactsDir)) {
    try {
      const value = JSON.parse(readFileSync(join(artifactsDir, name), 'utf8')) as unknown;
      if (typeof value === 'object' && value !== null && match(value as Record<string, unknown>)) return name;
    } catch {
      // not JSON (a markdown report): not the one
    }
  }
  throw new Error('no such artifact');
}

/** Edit a stored file as a worker running as the same user could, check every command, put it back. */
async function expectEveryCommandReports(file: string, edit: () => void, restore: () => void): Promise<void> {
  edit();
  try {
    const status = await buranIn(repo, 'status', '--run', runId, '--json');
    const blocker = (JSON.parse(status.out) as { status: string; blocker: { code: string; details: { file: string } } | null });
    expect(blocker.status).toBe('blocked');
    expect(blocker.blocker?.code).toBe('evidence_tampered');
    expect(blocker.blocker?.details.file).toBe(file);

    const report = JSON.parse((await buranIn(repo, 'report', '--run', runId, '--json')).out) as { blocker: { code: string; details: { file: string } } | null };
    expect(report.blocker?.code).toBe('evidence_tampered');
    expect(report.blocker?.details.file).toBe(file);

    const model = await loadInspectModel(await openProject({ cwd: repo }), runId);
    expect(model.status.blocker?.code).toBe('evidence_tampered');
    expect(model.status.blocker?.details['file']).toBe(file);

    const unblock = await buranIn(repo, 'unblock', '--run', runId, '--decision', 'retry');
    expect(unblock.code).toBe(3);
    expect(unblock.err).toContain('error [evidence_tampered]');
    expect(unblock.err).toContain(file);

    const run = await buranIn(repo, 'run', '--run', runId);
    expect(run.code).toBe(3);
    expect(run.out + run.err).toContain('evidence_tampered');
    expect(run.out + run.err).toContain(file);
  } finally {
    restore();
  }
  // Put back, the run reads as it was: nothing was repaired or rewritten in between.
  const after = JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out) as { status: string; blocker: unknown };
  expect(after).toMatchObject({ status: 'handoff_ready', blocker: null });
}

function rewrite(name: string, change: (text: string) => string): { edit: () => void; restore: () => void } {
  const path = join(artifactsDir, name);
  const original = readFileSync(path);
  return {
    edit: () => {
      chmodSync(path, 0o644);
      writeFileSync(path, change(original.toString('utf8')));
    },
    restore: () => writeFileSync(path, original),
  };
}

describe('evidence checked on every read (sandbox none, real file store)', () => {
  it('the run handed off, leaving an epoch-1 FAIL verification record, the packet copy and a verdict', async () => {
    const status = JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out) as { status: string; epoch: number };
    expect(status).toMatchObject({ status: 'handoff_ready' });
    expect(artifactWhere((v) => v['exitCode'] === 1 && Array.isArray(v['argv']))).toMatch(/^[0-9a-f]{64}$/);
  });

  it("an epoch's FAIL verification record turned into exit 0 is reported by status, report, inspect, unblock and run", async () => {
    const name = artifactWhere((v) => v['exitCode'] === 1 && Array.isArray(v['argv']));
    const { edit, restore } = rewrite(name, (t) => t.replace('"exitCode":1', '"exitCode":0'));
    await expectEveryCommandReports(`artifacts/${name}`, edit, restore);
  }, 60_000);

  it('an edited packet copy is reported by every command', async () => {
    const name = artifactWhere((v) => v['schema'] === 'buran.packet/v1');
    const { edit, restore } = rewrite(name, (t) => t.replace('Evidence on read', 'Something else'));
    await expectEveryCommandReports(`artifacts/${name}`, edit, restore);
  }, 60_000);

  it("an edited reviewer's verdict is reported by every command", async () => {
    const name = artifactWhere((v) => typeof v['reviewer'] === 'string' && typeof v['verdict'] === 'object');
    const { edit, restore } = rewrite(name, (t) => t.replace('"PASS"', '"FAIL"'));
    await expectEveryCommandReports(`artifacts/${name}`, edit, restore);
  }, 60_000);

  it('a forged record stored under its own digest does not help: the sealed records still name the old one, now missing', async () => {
    const name = artifactWhere((v) => v['exitCode'] === 1 && Array.isArray(v['argv']));
    const path = join(artifactsDir, name);
    const forged = readFileSync(path, 'utf8').replace('"exitCode":1', '"exitCode":0');
    const forgedName = sha256(forged).slice('sha256:'.length);
    await expectEveryCommandReports(
      `artifacts/${name}`,
      () => {
        writeFileSync(join(artifactsDir, forgedName), forged);
        renameSync(path, join(artifactsDir, `${name}.moved`));
      },
      () => renameSync(join(artifactsDir, `${name}.moved`), path),
    );
  }, 60_000);
});
