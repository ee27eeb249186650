// Human approval gates (packet policy.approvals) through the real CLI
// (bin/buran.js) on real git repositories with the fixture agent: a run waits
// for a gate (exit 4, status waiting, the next safe action is the decide
// command), `buran decide --approve` lets it hand off; a rejection with
// onReject fix starts a fix round whose worker prompt holds the reason, then
// the gate is asked again; a gate whose when.paths match nothing is skipped.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PacketInput } from '../../src/domain/packet.js';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { agent, cleanup, makeRepo, markerFile, packet, writePacket } from '../engine/fixtures/project.js';

const BIN = resolve('bin/buran.js');
const buran = (cwd: string, ...args: string[]) => spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

afterAll(cleanup);

function approve(repo: string, value: PacketInput): string {
  writePacket(repo, value);
  const out = buran(repo, 'approve', 'packet.json', '--by', 'tester', '--json');
  expect(out.status, out.stdout + out.stderr).toBe(0);
  return (JSON.parse(out.stdout) as { runId: string }).runId;
}
const status = (repo: string, runId: string) => StatusJsonSchema.parse(JSON.parse(buran(repo, 'status', '--run', runId, '--json').stdout));
const gated = (approvals: NonNullable<NonNullable<PacketInput['policy']>['approvals']>, prompts?: string): PacketInput => ({
  ...packet({ id: 'gated', command: prompts === undefined ? agent('ok') : agent('ok', { prompts }) }),
  policy: { approvals },
});

describe('approval gates through the CLI', () => {

  it('waits for the gate (exit 4), skips the one whose paths match nothing, and hands off after decide --approve', () => {
    const repo = makeRepo();
    const runId = approve(repo, gated([{ name: 'security', before: 'handoff', when: { paths: ['src/**'] } }, { name: 'docs', before: 'handoff', when: { paths: ['docs/**'] } }]));

    const waits = buran(repo, 'run', '--run', runId);
    expect(waits.status, waits.stdout + waits.stderr).toBe(4);
    const s = status(repo, runId);
    expect(s.status).toBe('waiting');
    expect(s.stage).toBe('active.awaitingApproval');
    expect(s.approvals).toEqual({ epoch: 1, waitingFor: 'security', pending: [{ name: 'security', onReject: 'fix', matched: ['src/alpha.txt'] }], approved: [], skipped: [{ name: 'docs', paths: ['docs/**'], reason: 'no changed file matches docs/**' }] });
    expect(s.nextSafeAction.command).toBe(`buran decide --run ${runId} --gate security --approve --by <you> --reason "<why>"`);
    const text = buran(repo, 'status', '--run', runId).stdout;
    expect(text).toContain('security: waiting for a person (buran decide)');
    expect(text).toContain('docs: skipped — no changed file matches docs/**');
    // Nothing runs while it waits: driving again stops at the gate at once.
    expect(buran(repo, 'run', '--run', runId).status).toBe(4);

    const wrong = buran(repo, 'decide', '--run', runId, '--gate', 'docs', '--approve', '--by', 'alice', '--reason', 'fine');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('waits for approval gate security, not docs');
    const neither = buran(repo, 'decide', '--run', runId, '--gate', 'security', '--by', 'alice', '--reason', 'fine');
    expect(neither.status).toBe(2);
    expect(neither.stderr).toContain('give exactly one of --approve and --reject');

    const ok = buran(repo, 'decide', '--run', runId, '--gate', 'security', '--approve', '--by', 'alice', '--reason', 'read the diff', '--json');
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ runId, status: 'running', stage: 'active.handoff', queued: null });
    const done = buran(repo, 'run', '--run', runId);
    expect(done.status, done.stdout + done.stderr).toBe(0);
    const after = status(repo, runId);
    expect(after.status).toBe('handoff_ready');
    expect(after.decisions).toEqual([{ decision: 'approve', by: 'alice', reason: 'read the diff', blockerCode: null, gate: 'security', epoch: 1 }]);
    const report = buran(repo, 'report', '--run', runId).stdout;
    expect(report).toContain('- security: approved');
    expect(report).toContain('- docs: skipped — no changed file matches docs/**');
    expect(report).toContain('| approve | alice | read the diff | gate security (epoch 1) |');
  }, 180_000);

  it('a rejection with onReject fix starts a fix round with the reason in the worker prompt, then asks again', () => {
    const repo = makeRepo();
    // The folder the sandbox lets fixture workers write (its marker folder).
    const prompts = dirname(markerFile(repo));
    const runId = approve(repo, gated([{ name: 'security', before: 'handoff' }], prompts));
    expect(buran(repo, 'run', '--run', runId).status).toBe(4);

    const reject = buran(repo, 'decide', '--run', runId, '--gate', 'security', '--reject', '--by', 'bob', '--reason', 'alpha.txt must say who reviewed it');
    expect(reject.status, reject.stdout + reject.stderr).toBe(0);
    const again = buran(repo, 'run', '--run', runId);
    expect(again.status, again.stdout + again.stderr).toBe(4);
    const s = status(repo, runId);
    expect(s.stage).toBe('active.awaitingApproval');
    expect(s.epoch).toBe(2);
    expect(s.approvals?.waitingFor).toBe('security');

    const files = readdirSync(prompts).filter((f) => f.endsWith('.md')).sort();
    expect(files).toHaveLength(2);
    const fixPrompt = readFileSync(join(prompts, files[1] ?? ''), 'utf8');
    expect(fixPrompt).toContain('approval gate security rejected by bob: alpha.txt must say who reviewed it');
    expect(readFileSync(join(prompts, files[0] ?? ''), 'utf8')).not.toContain('rejected by bob');

    expect(buran(repo, 'decide', '--run', runId, '--gate', 'security', '--approve', '--by', 'bob', '--reason', 'now it does').status).toBe(0);
    expect(buran(repo, 'run', '--run', runId).status).toBe(0);
    expect(status(repo, runId).decisions.map((d) => `${d.decision}@${d.epoch}`)).toEqual(['reject@1', 'approve@2']);
  }, 240_000);

  it('goes straight to handoff when the only gate’s when.paths match none of the changed files, and says it was skipped', () => {
    const repo = makeRepo();
    const runId = approve(repo, gated([{ name: 'schema', before: 'handoff', when: { paths: ['migrations/**', 'src/db'] } }]));
    const done = buran(repo, 'run', '--run', runId);
    expect(done.status, done.stdout + done.stderr).toBe(0);
    expect(status(repo, runId).approvals).toEqual({ epoch: 1, waitingFor: null, pending: [], approved: [], skipped: [{ name: 'schema', paths: ['migrations/**', 'src/db'], reason: 'no changed file matches migrations/**, src/db' }] });
    const events = buran(repo, 'events', '--run', runId, '--json').stdout;
    expect(events).toContain('"approvalsSkipped":[{"name":"schema","paths":["migrations/**","src/db"],"reason":"no changed file matches migrations/**, src/db"}]');
  }, 180_000);

  it('a when.dependencies gate waits when the change adds a dependency, names it, and only a person the gate names may decide it', () => {
    const repo = makeRepo();
    // package.json and pyproject.toml define what verification runs (never changed by a worker); requirements.txt may be.
    const base = packet({ id: 'deps', command: agent('add-dependency') });
    const value: PacketInput = {
      ...base,
      tasks: base.tasks.map((t) => ({ ...t, scope: [...t.scope, 'requirements.txt'] })),
      policy: {
        approvals: [
          { name: 'dependencies', before: 'handoff', when: { dependencies: true }, by: ['alice', 'bob'] },
          { name: 'release', before: 'pullRequest' },
        ],
      },
    };
    const runId = approve(repo, value);
    const waits = buran(repo, 'run', '--run', runId);
    expect(waits.status, waits.stdout + waits.stderr).toBe(4);
    const s = status(repo, runId);
    expect(s.approvals?.waitingFor).toBe('dependencies');
    expect(s.approvals?.pending).toEqual([{ name: 'dependencies', onReject: 'fix', matched: [], dependencies: [{ manifest: 'requirements.txt', added: ['requests'], unreadable: null }], by: ['alice', 'bob'] }]);
    expect(s.approvals?.skipped).toEqual([{ name: 'release', paths: [], reason: 'the handoff opens no pull request (config policy.pullRequest.enabled is false)' }]);
    expect(s.nextSafeAction.text).toContain('Waits for alice or bob to decide approval gate dependencies');
    const text = buran(repo, 'status', '--run', runId).stdout;
    expect(text).toContain('dependencies: waiting for a person (buran decide) (by alice or bob) — requirements.txt adds requests');

    const mallory = buran(repo, 'decide', '--run', runId, '--gate', 'dependencies', '--approve', '--by', 'mallory', '--reason', 'looks fine');
    expect(mallory.status, mallory.stdout + mallory.stderr).toBe(2);
    expect(mallory.stderr).toContain('may be decided by alice, bob');
    expect(status(repo, runId).decisions).toEqual([]);
    expect(buran(repo, 'decide', '--run', runId, '--gate', 'dependencies', '--approve', '--by', 'bob', '--reason', 'requests is vetted').status).toBe(0);
    const done = buran(repo, 'run', '--run', runId);
    expect(done.status, done.stdout + done.stderr).toBe(0);
    expect(status(repo, runId).decisions.map((d) => `${d.decision}:${d.by}:${d.gate ?? ''}`)).toEqual(['approve:bob:dependencies']);
  }, 180_000);

  it('a when.dependencies gate is skipped when the change adds none', () => {
    const repo = makeRepo();
    const runId = approve(repo, gated([{ name: 'dependencies', before: 'handoff', when: { dependencies: true } }]));
    const done = buran(repo, 'run', '--run', runId);
    expect(done.status, done.stdout + done.stderr).toBe(0);
    expect(status(repo, runId).approvals?.skipped).toEqual([{ name: 'dependencies', paths: [], reason: 'the change adds no dependency' }]);
  }, 180_000);
});
