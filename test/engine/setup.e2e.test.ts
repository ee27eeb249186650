// The packet's setup end to end: a small project whose verification needs an
// installed dependency (a local package packed with `npm pack` and installed
// OFFLINE by `npm ci --offline`), run by the real engine with real git, the
// command adapter's fixture agent, real verification commands and the
// default sandbox. Setup runs in the task worktree, the run worktree and each
// fresh verification checkout; a failing one blocks with setup_failed and its
// output tail; a re-attached dispatch does not set up again.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PacketInput } from '../../src/domain/packet.js';
import { openProject } from '../../src/engine/project.js';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { buranIn } from '../inspect/fixtures/cli.js';
import { agent, approvedRun, attemptIds, cleanup, driverResult, git, makeRepo, markerFile, markerLines, packet, spawnDriver, waitFor } from './fixtures/project.js';

const scratch: string[] = [];
afterAll(async () => {
  await cleanup();
  scratch.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

const NPM_CI = ['npm', 'ci', '--offline', '--no-audit', '--no-fund'];
const VERIFY_GREETING = ['node', 'check.mjs'];

/**
 * A repository whose verification imports the package `greet`, declared as a
 * `file:` dependency on a tarball committed beside it (made by `npm pack`),
 * with its lock file; node_modules is ignored, so a fresh worktree has none.
 */
function projectNeedingDependencies(): string {
  const repo = makeRepo();
  const pkg = mkdtempSync(join(tmpdir(), 'buran-greet-'));
  scratch.push(pkg);
  writeFileSync(join(pkg, 'package.json'), `${JSON.stringify({ name: 'greet', version: '1.0.0', main: 'index.js' })}\n`);
  writeFileSync(join(pkg, 'index.js'), 'module.exports = (name) => `hello ${name}`;\n');
  mkdirSync(join(repo, 'vendor'));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', join(repo, 'vendor')], { cwd: pkg, stdio: 'ignore' });
  writeFileSync(
    join(repo, 'package.json'),
    `${JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, type: 'module', dependencies: { greet: 'file:vendor/greet-1.0.0.tgz' } }, null, 2)}\n`,
  );
  writeFileSync(join(repo, 'check.mjs'), "import greet from 'greet';\nif (greet('buran') !== 'hello buran') process.exit(1);\n");
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'ignore' });
  rmSync(join(repo, 'node_modules'), { recursive: true, force: true });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'a project with a dependency');
  return repo;
}

function withSetup(base: PacketInput, setup: readonly (readonly string[])[]): PacketInput {
  return { ...base, setup: setup.map((argv) => [...argv]) };
}

/** The `where` of every setup the log recorded (dispatch and lease outcomes), in order. */
function setupsRecorded(events: readonly { data: Record<string, unknown> }[]): string[] {
  return events.flatMap((e) => {
    const setup = e.data['setup'] as { where?: string; status?: string } | undefined;
    return setup === undefined ? [] : [`${setup.where ?? '?'} ${setup.status ?? '?'}`];
  });
}

describe('packet setup', () => {
  it('without setup, verification fails: a fresh worktree has no installed dependencies', { timeout: 120_000 }, async () => {
    const repo = projectNeedingDependencies();
    const { project, runId } = await approvedRun(packet({ command: agent('ok'), verify: [VERIFY_GREETING], limits: { maxFixRounds: 0 } }), { repo });
    const result = await project.runner.drive(runId);
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('fix_exhausted');
    expect(JSON.stringify(result.blocker?.details)).toContain('greet');
  });

  it('installs the dependency offline in every worktree and checkout, so the run reaches handoff', { timeout: 120_000 }, async () => {
    const repo = projectNeedingDependencies();
    // Also a link into the user's checkout that no ignore rule covers: setup's, so never committed with the attempt.
    const link = ['sh', '-c', 'ln -sfn "$BURAN_REPO_ROOT/vendor" linked-vendor'];
    const { project, runId } = await approvedRun(withSetup(packet({ command: agent('ok'), verify: [VERIFY_GREETING], limits: { maxFixRounds: 0 } }), [NPM_CI, link]), { repo });
    const result = await project.runner.drive(runId);
    expect(result.blocker, JSON.stringify(result.blocker, null, 2)).toBeNull();
    expect(result.status).toBe('handoff_ready');
    const events = await project.runner.events(runId);
    expect(setupsRecorded(events)).toEqual(['run ok', 'task alpha ok']);
    // Integration verification ran setup first in its fresh checkout: that evidence comes before the verification's.
    const verification = result.snapshot.context.gates.find((g) => g.gate === 'verification');
    expect(verification?.evidence.map((e) => e.label.split(' ')[0])).toEqual(['setup[0]', 'setup[1]', 'verify[0]']);
    // What setup installed was never committed: the handoff holds the worker's file and no node_modules.
    const handedOff = git(repo, 'ls-tree', '-r', '--name-only', `buran/${runId}`);
    expect(handedOff).not.toContain('node_modules');
    expect(handedOff).not.toContain('linked-vendor');
    expect(git(repo, 'show', `buran/${runId}:src/alpha.txt`)).toContain('alpha.a1');

    // status --json lists every setup: where, each command's exit code and duration.
    const status = StatusJsonSchema.parse(JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out));
    expect(status.setup.map((s) => `${s.place} ${s.where} ${s.status}`)).toEqual(['run run ok', 'task task alpha ok', 'verification verify task alpha ok', 'verification verify integration ok']);
    for (const s of status.setup) {
      expect(s.commands.map((c) => [c.argv[0], c.exitCode, c.error])).toEqual([['npm', 0, null], ['sh', 0, null]]);
      expect(s.commands.every((c) => c.durationMs > 0)).toBe(true);
    }
    expect(status.setup.find((s) => s.place === 'verification')?.epoch).toBe(1);
  });

  it('a failing setup blocks setup_failed with the command and its output tail before any worker starts; retry sets up again', { timeout: 120_000 }, async () => {
    const repo = projectNeedingDependencies();
    const log = markerFile(repo, 'setup.log');
    // Logs where it ran; in a task worktree it needs a file the operator has not made yet.
    const script = `echo "$PWD" >> ${JSON.stringify(log)}; case "$PWD" in */tasks/*) test -f "$BURAN_REPO_ROOT/ready" || { echo "setup: $BURAN_REPO_ROOT/ready is missing" >&2; exit 4; } ;; esac`;
    const { project, runId } = await approvedRun(withSetup(packet({ command: agent('ok'), verify: [VERIFY_GREETING] }), [['sh', '-c', script], NPM_CI]), { repo });
    const blocked = await project.runner.drive(runId);
    expect(blocked.status).toBe('blocked');
    expect(blocked.blocker?.code).toBe('setup_failed');
    expect(blocked.blocker?.message).toContain('failed in task alpha (exit code 4)');
    expect(blocked.blocker?.message).toContain('ready is missing');
    expect(blocked.blocker?.details).toMatchObject({ where: 'task alpha', exitCode: 4, command: ['sh', '-c', script] });
    expect(blocked.blocker?.nextSafeAction.command).toBe(`buran unblock --run ${runId} --decision retry`);
    expect(attemptIds(project, runId)).toEqual([]);
    // status shows the failed setup with its output tail, as JSON and as text.
    const status = StatusJsonSchema.parse(JSON.parse((await buranIn(repo, 'status', '--run', runId, '--json')).out));
    const failed = status.setup.find((s) => s.status === 'failed');
    expect(failed).toMatchObject({ place: 'task', where: 'task alpha', taskId: 'alpha' });
    expect(failed?.commands).toHaveLength(1);
    expect(failed?.commands[0]).toMatchObject({ argv: ['sh', '-c', script], exitCode: 4, timedOut: false, error: null });
    expect(failed?.commands[0]?.outputTail).toContain('ready is missing');
    const text = (await buranIn(repo, 'status', '--run', runId)).out;
    expect(text).toMatch(/- task alpha: failed: sh -c .* \(exit 4, \d+\.\ds\)/);
    expect(text).toContain(`    | setup: ${repo}/ready is missing`);

    writeFileSync(join(repo, 'ready'), '');
    await project.runner.command(runId, { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'made the ready file' });
    const done = await project.runner.drive(runId);
    expect(done.blocker, JSON.stringify(done.blocker, null, 2)).toBeNull();
    expect(done.status).toBe('handoff_ready');
    const places = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split('/').slice(-2).join('/'));
    // The run worktree once, the task worktree twice (failed, then on retry), each verification checkout once.
    expect(places.sort()).toEqual(['runid/run', 'tasks/alpha', 'tasks/alpha', 'verify/run', 'verify/task-alpha'].map((p) => p.replace('runid', runId)).sort());
  });

  it('a driver that crashed after setup and spawn re-attaches to the worker without setting up again', { timeout: 120_000 }, async () => {
    const repo = projectNeedingDependencies();
    const log = markerFile(repo, 'setup.log');
    const worker = markerFile(repo);
    const { runId } = await approvedRun(
      withSetup(packet({ command: agent('ok', { marker: worker, sleep: 1500 }), verify: [VERIFY_GREETING] }), [['sh', '-c', `echo "$PWD" >> ${JSON.stringify(log)}`], NPM_CI]),
      { repo },
    );
    process.env['BURAN_CRASH_AT'] = 'dispatch.after-spawn';
    let driver;
    try {
      driver = spawnDriver(repo, runId);
    } finally {
      delete process.env['BURAN_CRASH_AT'];
    }
    const { signal } = await driver.exited;
    expect(signal, driver.output()).toBe('SIGKILL');
    expect(driverResult(driver)).toBeNull();

    const project = await openProject({ cwd: repo });
    const done = await project.runner.drive(runId);
    expect(done.blocker, JSON.stringify(done.blocker, null, 2)).toBeNull();
    expect(done.status).toBe('handoff_ready');
    await waitFor('the worker marker', () => markerLines(worker).length > 0);
    expect(markerLines(worker).map((l) => l.attemptId)).toEqual(['alpha.a1']);
    const places = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split('/').slice(-2).join('/'));
    expect(places.filter((p) => p === 'tasks/alpha')).toHaveLength(1);
    expect(places.filter((p) => p.endsWith('/run') && !p.startsWith('verify'))).toHaveLength(1);
    expect(setupsRecorded(await project.runner.events(runId))).toContain('task alpha reused');
  });
});
