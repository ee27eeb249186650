// Stacked runs (packet `after`) through the real CLI (bin/buran.js) on real git
// repositories with fixture agents: a run waits (exit 4, status waiting, the
// next safe action names its prerequisite) until the prerequisite is
// handoff-ready, then starts from its recorded handoff commit, three levels
// deep; a prerequisite that blocks, or whose branch moved after its handoff,
// blocks the stacked run with prerequisite_failed; approval refuses a
// prerequisite that does not exist, and more than one.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PacketInput } from '../../src/domain/packet.js';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { agent, cleanup, git, makeRepo, packet, writePacket } from '../engine/fixtures/project.js';

const BIN = resolve('bin/buran.js');
const buran = (cwd: string, ...args: string[]) => spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

afterAll(cleanup);

function approve(repo: string, name: string, value: PacketInput): string {
  writePacket(repo, value, name);
  const out = buran(repo, 'approve', name, '--by', 'tester', '--json');
  expect(out.status, out.stdout + out.stderr).toBe(0);
  return (JSON.parse(out.stdout) as { runId: string }).runId;
}
const status = (repo: string, runId: string) => StatusJsonSchema.parse(JSON.parse(buran(repo, 'status', '--run', runId, '--json').stdout));
const handoffCommit = (repo: string, runId: string): string => {
  const report = JSON.parse(buran(repo, 'report', '--run', runId, '--format', 'json').stdout) as { handoffCommit: string | null };
  const commit = report.handoffCommit;
  if (commit === null) throw new Error(`run ${runId} has no handoff commit in its report`);
  return commit;
};
const work = (id: string, task: string, extra: Partial<PacketInput> = {}): PacketInput => ({ ...packet({ id, tasks: [task], command: agent('ok') }), ...extra });

describe('stacked runs through the CLI', () => {

  it('A ← B ← C: each waits (exit 4) for its prerequisite, then starts from its handoff commit', () => {
    const repo = makeRepo();
    const a = approve(repo, 'a.json', work('work-a', 'alpha'));
    const b = approve(repo, 'b.json', work('work-b', 'beta', { after: [a] }));
    const c = approve(repo, 'c.json', work('work-c', 'gamma', { after: [b] }));

    const cWaits = buran(repo, 'run', '--run', c);
    expect(cWaits.status, cWaits.stdout + cWaits.stderr).toBe(4);
    const waiting = status(repo, c);
    expect(waiting.status).toBe('waiting');
    expect(waiting.nextSafeAction.text).toContain(b);
    expect(waiting.nextSafeAction.command).toBe(`buran run --run ${c}`);
    expect(buran(repo, 'run', '--run', b).status).toBe(4);
    expect(status(repo, b).nextSafeAction.text).toContain(a);

    expect(buran(repo, 'run', '--run', a).status).toBe(0);
    const aCommit = handoffCommit(repo, a);
    expect(buran(repo, 'run', '--run', b).status).toBe(0);
    const bCommit = handoffCommit(repo, b);
    const last = buran(repo, 'run', '--run', c);
    expect(last.status, last.stdout + last.stderr).toBe(0);

    // B started from A's handoff commit, C from B's: C's branch holds all three files.
    git(repo, 'merge-base', '--is-ancestor', aCommit, bCommit);
    const cCommit = handoffCommit(repo, c);
    git(repo, 'merge-base', '--is-ancestor', bCommit, cCommit);
    expect(git(repo, 'ls-tree', '-r', '--name-only', cCommit, 'src').trim().split('\n').sort()).toEqual(['src/alpha.txt', 'src/beta.txt', 'src/gamma.txt']);
    expect(git(repo, 'ls-tree', '-r', '--name-only', 'main').trim().split('\n')).not.toContain('src/alpha.txt');
  }, 180_000);

  it('a prerequisite that blocks, or whose branch moved after its handoff, blocks the stacked run with prerequisite_failed', () => {
    const repo = makeRepo();
    const broken = approve(repo, 'broken.json', { ...packet({ id: 'broken', command: agent('exit3'), limits: { maxAttempts: 1 } }) });
    expect(buran(repo, 'run', '--run', broken).status).toBe(3);
    const onBroken = approve(repo, 'on-broken.json', work('on-broken', 'beta', { after: [broken] }));
    const blocked = buran(repo, 'run', '--run', onBroken);
    expect(blocked.status, blocked.stdout + blocked.stderr).toBe(3);
    const s = status(repo, onBroken);
    expect(s.blocker?.code).toBe('prerequisite_failed');
    expect(s.blocker?.details['prerequisite']).toBe(broken);
    expect(s.blocker?.message).toContain('blocked');
    expect(s.nextSafeAction.command).toBe(`buran unblock --run ${onBroken} --decision retry`);

    const a = approve(repo, 'a.json', work('work-a', 'alpha'));
    expect(buran(repo, 'run', '--run', a).status).toBe(0);
    const onA = approve(repo, 'on-a.json', work('on-a', 'gamma', { after: [a] }));
    // The prerequisite's branch moves after its handoff: what it holds is no longer what was handed off.
    git(repo, 'branch', '-f', `buran/${a}`, 'main');
    expect(buran(repo, 'run', '--run', onA).status).toBe(3);
    const moved = status(repo, onA);
    expect(moved.blocker?.code).toBe('prerequisite_failed');
    expect(moved.blocker?.details['prerequisiteStatus']).toBe('handoff_moved');
  }, 180_000);

  it("a prerequisite whose records were edited (its handoff commit pointed elsewhere) is never built on: prerequisite_failed naming the tampering", () => {
    const repo = makeRepo();
    const a = approve(repo, 'a.json', work('work-a', 'alpha'));
    expect(buran(repo, 'run', '--run', a).status).toBe(0);
    const onA = approve(repo, 'on-a.json', work('on-a', 'beta', { after: [a] }));
    // What a worker running as the same user (sandbox none) could do: point A's recorded handoff at a commit it chose,
    // and move A's branch there too, so that the branch check alone would agree with the forged record.
    const planted = git(repo, 'commit-tree', '-p', 'main', '-m', 'planted', `${git(repo, 'rev-parse', 'main').trim()}^{tree}`).trim();
    // The handoff is in the stored state: the base snapshot, or the state line (snapshot.<base seq>.jsonl) that wrote it.
    const dir = join(repo, '.buran', 'runs', a);
    const base = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { seq: number; snapshot: { context: { handoff: { commit: string } | null } } };
    if (base.snapshot.context.handoff !== null) {
      base.snapshot.context.handoff.commit = planted;
      writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(base));
    } else {
      const linesFile = join(dir, `snapshot.${base.seq}.jsonl`);
      const lines = readFileSync(linesFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { context: { handoff?: { commit: string } | null } });
      const line = lines.findLast((l) => l.context.handoff !== undefined && l.context.handoff !== null);
      if (line?.context.handoff === undefined || line.context.handoff === null) throw new Error('no stored handoff to forge');
      line.context.handoff.commit = planted;
      writeFileSync(linesFile, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    }
    git(repo, 'branch', '-f', `buran/${a}`, planted);

    const run = buran(repo, 'run', '--run', onA);
    expect(run.status, run.stdout + run.stderr).toBe(3);
    const s = status(repo, onA);
    expect(s.blocker?.code).toBe('prerequisite_failed');
    expect(s.blocker?.details['prerequisite']).toBe(a);
    expect(s.blocker?.details['prerequisiteStatus']).toBe('evidence_tampered');
    expect(s.blocker?.message).toContain('changed outside buran');
    // Nothing was started from the planted commit: the stacked run has no branch.
    expect(spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/buran/${onA}`], { cwd: repo }).status).not.toBe(0);
  }, 180_000);

  it('approval refuses a prerequisite run that does not exist, and more than one (exit 2)', () => {
    const repo = makeRepo();
    writePacket(repo, work('ghost', 'alpha', { after: ['no-such-run-1'] }), 'ghost.json');
    const ghost = buran(repo, 'approve', 'ghost.json');
    expect(ghost.status).toBe(2);
    expect(ghost.stderr).toContain('no-such-run-1');
    const a = approve(repo, 'a.json', work('work-a', 'alpha'));
    const b = approve(repo, 'b.json', work('work-b', 'beta'));
    writePacket(repo, work('two', 'gamma', { after: [a, b] }), 'two.json');
    const two = buran(repo, 'approve', 'two.json');
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('at most one prerequisite');
  }, 60_000);
});
