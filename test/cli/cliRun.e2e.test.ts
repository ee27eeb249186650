// Every command as a real subprocess against temp git repos: exit codes,
// JSON contracts validated against their schemas, and bad input.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventRecordSchema } from '../../src/domain/events.js';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';

const BIN = resolve('bin/buran.js');
const buran = (cwd: string, ...args: string[]) => spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

function exampleRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'buran-e2e-'));
  cpSync('examples/greeting', repo, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
  return repo;
}

describe('buran CLI end to end', () => {

  it('init is idempotent inside a git repo and refuses outside one (exit 2)', () => {
    const repo = exampleRepo();
    expect(buran(repo, 'init').status).toBe(0);
    expect(buran(repo, 'init').status).toBe(0);
    const outside = mkdtempSync(join(tmpdir(), 'buran-nogit-'));
    const r = buran(outside, 'init');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not inside a git repository');
  });

  it('approves, runs to handoff (exit 0), and reports status, events and report in their JSON contracts', () => {
    const repo = exampleRepo();
    const approved = buran(repo, 'approve', 'packet.yaml', '--by', 'ana', '--json');
    expect(approved.status).toBe(0);
    const { runId } = JSON.parse(approved.stdout) as { runId: string };
    const run = buran(repo, 'run', '--run', runId, '--json');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => EventRecordSchema.parse(JSON.parse(l)));
    expect(lines.at(-1)?.to).toBe('readyForReview');
    const status = StatusJsonSchema.parse(JSON.parse(buran(repo, 'status', '--run', runId, '--json').stdout));
    expect(status.status).toBe('handoff_ready');
    expect(status.tasks.find((t) => t.id === 'greeting-helper')?.epoch).toBe(2);
    const events = buran(repo, 'events', '--run', runId, '--json').stdout.trim().split('\n');
    expect(events.length).toBe(lines.length);
    const report = JSON.parse(buran(repo, 'report', '--run', runId, '--format', 'json').stdout) as { status: string; tasks: unknown[] };
    expect(report.status).toBe('handoff_ready');
    expect(buran(repo, 'status').stdout).toContain(runId);
  }, 60_000);

  it('exits 3 with the blocker when the run blocks, and unblock refuses a decision the blocker does not allow', () => {
    const repo = exampleRepo();
    // A worker command that does not exist: adapter_unavailable before anything is spawned.
    writeFileSync(join(repo, 'packet.yaml'), execFileSync('sed', ['s#command: \\[node, tools/agent.mjs\\]#command: [no-such-agent-xyz]#', join(repo, 'packet.yaml')], { encoding: 'utf8' }));
    const { runId } = JSON.parse(buran(repo, 'approve', 'packet.yaml', '--json').stdout) as { runId: string };
    const run = buran(repo, 'run', '--run', runId);
    expect(run.status).toBe(3);
    expect(run.stdout).toContain('adapter_unavailable');
    const status = StatusJsonSchema.parse(JSON.parse(buran(repo, 'status', '--run', runId, '--json').stdout));
    expect(status.blocker?.code).toBe('adapter_unavailable');
    expect(status.nextSafeAction.command).toBe(`buran unblock --run ${runId} --decision retry`);
    expect(buran(repo, 'resume', '--run', runId).status).toBe(2);
    expect(buran(repo, 'unblock', '--run', runId, '--decision', 'cancel', '--reason', 'wrong agent').status).toBe(0);
  }, 60_000);

  it('pauses, resumes and cancels an approved run, each recorded with who and why (exit 0: done as asked; run exits 4 while paused)', () => {
    const repo = exampleRepo();
    const { runId } = JSON.parse(buran(repo, 'approve', 'packet.yaml', '--json').stdout) as { runId: string };
    expect(buran(repo, 'run', '--run', runId, '--step').status).toBe(4);
    const paused = buran(repo, 'pause', '--run', runId, '--by', 'ana', '--reason', 'lunch');
    expect(paused.status).toBe(0);
    expect(paused.stdout).toContain('paused');
    expect(buran(repo, 'run', '--run', runId).status).toBe(4);
    expect(buran(repo, 'resume', '--run', runId, '--by', 'ana', '--reason', 'back').status).toBe(0);
    const cancelled = buran(repo, 'cancel', '--run', runId, '--by', 'bo', '--reason', 'not needed');
    expect(cancelled.status).toBe(0);
    expect(cancelled.stdout).toContain('cancelled');
    const report = JSON.parse(buran(repo, 'report', '--run', runId, '--format', 'json').stdout) as { status: string; decisions: { decision: string; by: string; reason: string }[] };
    expect(report.status).toBe('cancelled');
    expect(report.decisions.map((d) => `${d.decision}:${d.by}:${d.reason}`)).toEqual(['pause:ana:lunch', 'resume:ana:back', 'cancel:bo:not needed']);
  }, 60_000);

  it('prints every JSON Schema, including the status contract', () => {
    const repo = exampleRepo();
    for (const name of ['packet', 'completion', 'config', 'status']) {
      const r = buran(repo, 'schema', name);
      expect(r.status).toBe(0);
      expect((JSON.parse(r.stdout) as { type?: string }).type).toBe('object');
    }
  });

  it('runs the demo to handoff with two epochs on the fixed task (exit 0)', () => {
    const r = spawnSync('npm', ['run', 'demo'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('handoff_ready');
    expect(r.stdout).toMatch(/greeting-helper\.a2 \| 2 \| completed/);
  }, 60_000);

  it('rejects bad input with exit 2: malformed files, unknown fields, cycles, duplicates, unknown runs, hostile ids, missing files', () => {
    const repo = exampleRepo();
    const bad = (name: string, text: string) => {
      writeFileSync(join(repo, name), text);
      return buran(repo, 'approve', name);
    };
    expect(bad('a.json', '{ not json').status).toBe(2);
    expect(bad('b.yaml', 'tasks: [unclosed').status).toBe(2);
    const base = "schema: buran.packet/v1\nid: p\ntitle: t\ngoal: g\nverify: [[node, --test]]\nworker: {adapter: command, command: [node, x.js]}\n";
    const t = (id: string, deps: string) => `  - {id: ${id}, title: t, instructions: do it, scope: [src/${id}], acceptance: [ok], dependsOn: [${deps}]}\n`;
    const cyc = bad('c.yaml', `${base}tasks:\n${t('a', 'b')}${t('b', 'a')}`);
    expect(cyc.status).toBe(2);
    expect(cyc.stderr).toMatch(/cycle/);
    expect(bad('d.yaml', `${base}tasks:\n${t('a', 'zzz')}`).stderr).toContain('tasks[0].dependsOn[0]');
    expect(bad('e.yaml', `${base}tasks:\n${t('a', '')}${t('a', '')}`).status).toBe(2);
    expect(bad('f.yaml', `${base}bogus: 1\ntasks:\n${t('a', '')}`).stderr).toContain('bogus');
    expect(buran(repo, 'approve', 'missing.yaml').status).toBe(2);
    expect(buran(repo, 'status', '--run', 'no-such-run').status).toBe(2);
    for (const id of ['../etc', 'a;rm -rf /', '$(id)']) expect(buran(repo, 'run', '--run', id).status).toBe(2);
  }, 60_000);
});
