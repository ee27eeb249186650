// Reviewers that must agree, through the real CLI on a real git repository:
// the greeting example with two command reviewers (test/fixtures/reviewers).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';

const BIN = resolve('bin/buran.js');
const buran = (cwd: string, ...args: string[]) => spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

/** The greeting example whose packet's review is the given YAML block, with the fixture reviewer committed as tools/reviewer.mjs. */
function repoWithReview(review: string): string {
  const repo = mkdtempSync(join(tmpdir(), 'buran-quorum-'));
  cpSync('examples/greeting', repo, { recursive: true });
  cpSync('test/fixtures/reviewers/reviewer.mjs', join(repo, 'tools/reviewer.mjs'));
  const packet = readFileSync(join(repo, 'packet.yaml'), 'utf8');
  writeFileSync(join(repo, 'packet.yaml'), packet.replace('review:\n  reviewer: builtin\n', review));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
  return repo;
}

function approve(repo: string): string {
  const approved = buran(repo, 'approve', 'packet.yaml', '--by', 'ana', '--json');
  expect(approved.stderr).toBe('');
  return (JSON.parse(approved.stdout) as { runId: string }).runId;
}

interface ReportReview {
  subject: string;
  taskId: string | null;
  epoch: number;
  status: string;
  reviewers: { reviewer: string; status: string; usage?: unknown }[];
}

describe('buran with reviewers that must agree', () => {

  it('reaches handoff when a reviewer FAILs once and its findings are fixed, with both verdicts in status and the report', () => {
    const repo = repoWithReview(
      'review:\n  reviewers:\n    - { adapter: command, name: strict, command: [node, tools/reviewer.mjs, fail-once] }\n    - { adapter: command, name: easy, command: [node, tools/reviewer.mjs, pass] }\n  require: all\n',
    );
    const runId = approve(repo);
    const run = buran(repo, 'run', '--run', runId);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const status = StatusJsonSchema.parse(JSON.parse(buran(repo, 'status', '--run', runId, '--json').stdout));
    expect(status.status).toBe('handoff_ready');
    const cli = status.reviews.find((r) => r.taskId === 'cli-uses-greeting');
    expect(cli?.epoch).toBe(2);
    expect(cli?.reviewers.map((r) => [r.reviewer, r.status])).toEqual([['strict', 'PASS'], ['easy', 'PASS']]);
    // Every reviewer's spend counts: 2 reviewers x (2 task reviews each + the integration review) x $0.01 at least.
    expect(status.usage.costUsd).toBeGreaterThanOrEqual(0.05);

    const report = JSON.parse(buran(repo, 'report', '--run', runId, '--json').stdout) as { reviews: ReportReview[] };
    expect(report.reviews.map((r) => [r.subject, r.taskId, r.status])).toEqual([
      ['task', 'greeting-helper', 'PASS'],
      ['task', 'cli-uses-greeting', 'PASS'],
      ['integration', null, 'PASS'],
    ]);
    expect(report.reviews.every((r) => r.reviewers.length === 2 && r.reviewers.every((v) => v.usage !== undefined))).toBe(true);
    const markdown = buran(repo, 'report', '--run', runId).stdout;
    expect(markdown).toContain('## Reviewers');
    expect(markdown).toMatch(/strict \(command\): PASS/);
    expect(markdown).toMatch(/easy \(command\): PASS/);
    const text = buran(repo, 'status', '--run', runId).stdout;
    expect(text).toContain('review of task cli-uses-greeting (epoch 2): PASS, 2 of 2 PASS, needed 2');

    // The fix round's prompt carried the strict reviewer's finding.
    const fixPrompt = readFileSync(join(repo, '.buran', 'runs', runId, 'attempts', 'cli-uses-greeting.a2', 'prompt.md'), 'utf8');
    expect(fixPrompt).toContain('strict: task cli-uses-greeting: add a comment saying what the file does');
  }, 240_000);

  it('blocks with review_blocked naming the BLOCKED reviewer when the quorum is not met without it (exit 3)', () => {
    const repo = repoWithReview(
      'review:\n  reviewers:\n    - { adapter: command, name: strict, command: [node, tools/reviewer.mjs, pass] }\n    - { adapter: command, name: stuck, command: [node, tools/reviewer.mjs, blocked] }\n  require: 2\n',
    );
    const runId = approve(repo);
    const run = buran(repo, 'run', '--run', runId);
    expect(run.status).toBe(3);
    expect(run.stdout).toContain('review_blocked');
    expect(run.stdout).toMatch(/review of task greeting-helper \(epoch 2\): BLOCKED, 1 of 2 PASS, needed 2/);
    expect(run.stdout).toMatch(/stuck \(command\): BLOCKED/);
    const status = StatusJsonSchema.parse(JSON.parse(buran(repo, 'status', '--run', runId, '--json').stdout));
    expect(status.blocker?.code).toBe('review_blocked');
    const blocked = status.reviews.find((r) => r.status === 'BLOCKED');
    expect(blocked?.quorum).toMatchObject({ blocked: ['stuck'], carried: false, passes: 1, needed: 2 });
    expect(buran(repo, 'status', '--run', runId).stdout).toMatch(/stuck \(command\): BLOCKED/);
  }, 240_000);

  it('refuses a require larger than the number of reviewers at approval, naming the field (exit 2)', () => {
    const repo = repoWithReview('review:\n  reviewers:\n    - { adapter: builtin }\n  require: 2\n');
    const approved = buran(repo, 'approve', 'packet.yaml', '--by', 'ana');
    expect(approved.status).toBe(2);
    expect(approved.stderr).toContain('review.require');
    expect(approved.stderr).toContain('from 1 to 1');
  }, 60_000);
});
