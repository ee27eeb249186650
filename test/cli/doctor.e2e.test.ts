// `buran doctor` through the CLI on a real git repository: two handed-off runs
// and one blocked. A deleted index is reported, rebuilt by --fix, and every
// run reads as before; a truncated event log puts that run (only) into
// quarantine with its reason. Nothing is deleted on the way.
import { existsSync, readFileSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, approvedRun, cleanup, makeRepo, packet } from '../engine/fixtures/project.js';
import { buranIn } from '../inspect/fixtures/cli.js';

afterAll(cleanup);

let repo = '';
const ids: string[] = [];
const before = new Map<string, string>();

const statusOf = async (runId: string) => {
  const r = await buranIn(repo, 'status', '--run', runId, '--json');
  return { code: r.code, err: r.err, status: r.code === 0 ? (JSON.parse(r.out) as { status: string }).status : null };
};

interface DoctorJson {
  report: { index: { state: string }; runs: { runId: string; verdict: string; problems: { file: string; code: string }[] }[]; needsFix: boolean };
  fix: { quarantined: { runId: string; to: string }[]; indexRebuilt: boolean; indexMovedTo: string | null } | null;
}
const doctor = async (...args: string[]) => {
  const r = await buranIn(repo, 'doctor', '--json', ...args);
  return { code: r.code, json: JSON.parse(r.out) as DoctorJson };
};

beforeAll(async () => {
  repo = makeRepo({ sandbox: 'none' });
  for (const [id, command, limits] of [
    ['first', agent('ok'), {}],
    ['second', agent('ok'), {}],
    ['stuck', ['node', '-e', 'process.exit(2)'], { maxAttempts: 1 }],
  ] as const) {
    const { runId } = await approvedRun(packet({ id, tasks: [id], command: [...command], limits }), { repo, name: `${id}.json` });
    await buranIn(repo, 'run', '--run', runId);
    ids.push(runId);
    before.set(runId, (await statusOf(runId)).status ?? '');
  }
  expect([...before.values()]).toEqual(['handoff_ready', 'handoff_ready', 'blocked']);
}, 120_000);

describe('buran doctor', () => {
  it('a healthy store: exit 0, every run proven', async () => {
    const { code, json } = await doctor();
    expect(code).toBe(0);
    expect(json.report.needsFix).toBe(false);
    expect(json.report.runs.map((r) => r.verdict)).toEqual(['proven', 'proven', 'proven']);
  });

  it('a deleted index: every command says store_corrupt naming buran doctor --fix; doctor reports it (exit 6) and changes nothing; --fix rebuilds it and every run reads with the same status', async () => {
    const index = join(repo, '.buran', 'runs.json');
    rmSync(index);
    const broken = await buranIn(repo, 'status');
    expect(broken.code).toBe(3);
    expect(broken.err).toContain('error [store_corrupt]');
    expect(broken.err).toContain('buran doctor --fix');

    const dry = await doctor();
    expect(dry.code).toBe(6);
    expect(dry.json.report.index.state).toBe('missing');
    expect(dry.json.report.runs.map((r) => r.verdict)).toEqual(['proven', 'proven', 'proven']);
    expect(existsSync(index)).toBe(false);

    const fixed = await doctor('--fix');
    expect(fixed.code).toBe(0);
    expect(fixed.json.fix).toMatchObject({ indexRebuilt: true, quarantined: [] });
    for (const runId of ids) expect((await statusOf(runId)).status, runId).toBe(before.get(runId));
    const list = await buranIn(repo, 'status');
    expect(list.code).toBe(0);
    for (const runId of ids) expect(list.out).toContain(runId);
    expect((await doctor()).code).toBe(0);
  }, 60_000);

  it('a truncated index: same story, and the truncated file is kept beside the new one', async () => {
    const index = join(repo, '.buran', 'runs.json');
    truncateSync(index, 10);
    expect((await buranIn(repo, 'status')).err).toContain('buran doctor --fix');
    expect((await doctor()).json.report.index.state).toBe('corrupt');
    const fixed = await doctor('--fix');
    expect(fixed.code).toBe(0);
    expect(fixed.json.fix?.indexMovedTo).toMatch(/runs\.json\.replaced-\d+$/);
    expect(readFileSync(fixed.json.fix?.indexMovedTo ?? '', 'utf8')).toHaveLength(10);
    for (const runId of ids) expect((await statusOf(runId)).status, runId).toBe(before.get(runId));
  }, 60_000);

  it("a truncated event log: that run is quarantined with a reason.json, every file of it kept; the others stay readable", async () => {
    const [first, second, stuck] = ids as [string, string, string];
    const runDir = join(repo, '.buran', 'runs', second);
    const files = readdirSync(runDir).sort();
    const log = join(runDir, 'events.jsonl');
    truncateSync(log, Math.floor(statSync(log).size / 2));

    const dry = await doctor();
    expect(dry.code).toBe(6);
    const seen = dry.json.report.runs.find((r) => r.runId === second);
    expect(seen?.verdict).toBe('unprovable');
    expect(seen?.problems[0]).toMatchObject({ file: 'events.jsonl', code: 'store_corrupt' });
    expect(existsSync(runDir)).toBe(true);

    const fixed = await doctor('--fix');
    expect(fixed.code).toBe(0);
    const to = join(repo, '.buran', 'quarantine', second);
    expect(fixed.json.fix?.quarantined).toEqual([{ runId: second, to }]);
    const reason = JSON.parse(readFileSync(join(to, 'reason.json'), 'utf8')) as { runId: string; problems: { file: string }[] };
    expect(reason).toMatchObject({ runId: second, problems: [{ file: 'events.jsonl' }] });
    expect(readdirSync(to).filter((f) => f !== 'reason.json').sort()).toEqual(files);
    expect(existsSync(runDir)).toBe(false);

    expect((await statusOf(first)).status).toBe('handoff_ready');
    expect((await statusOf(stuck)).status).toBe('blocked');
    expect((await statusOf(second)).code).toBe(2);
    expect((await doctor()).code).toBe(0);
  }, 60_000);
});
