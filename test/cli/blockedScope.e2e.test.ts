// A blocked run releases its scope locks and a retry re-takes them first,
// through the real CLI (bin/buran.js) on a real git repository with fixture
// agents: run A blocks; run B, whose scope overlaps A's, now starts; retrying A
// while B holds the scope blocks A again with lease_conflict naming B; once B
// is done, the next retry of A reaches handoff.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { agent, cleanup, fixture, makeRepo, markerFile, markerLines, packet, waitFor, writePacket } from '../engine/fixtures/project.js';

const BIN = resolve('bin/buran.js');
const buran = (cwd: string, ...args: string[]) => spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const drivers: ChildProcess[] = [];

afterAll(async () => {
  for (const d of drivers) if (d.exitCode === null) d.kill('SIGKILL');
  await cleanup();
});

const approve = (repo: string, file: string): string => (JSON.parse(buran(repo, 'approve', file, '--by', 'tester', '--json').stdout) as { runId: string }).runId;
const status = (repo: string, runId: string) => StatusJsonSchema.parse(JSON.parse(buran(repo, 'status', '--run', runId, '--json').stdout));
const scopeHolders = (repo: string): string[] =>
  (JSON.parse(readFileSync(join(repo, '.buran', 'scope-locks.json'), 'utf8')) as { locks: { runId: string }[] }).locks.map((l) => l.runId);

describe('a blocked run and its scope locks, through the CLI', () => {

  it('A blocks and frees its scope; B (overlapping) starts; retrying A while B runs blocks it lease_conflict naming B; after B, retry reaches handoff', async () => {
    const repo = makeRepo();
    const flag = markerFile(repo, 'fail.flag');
    writeFileSync(flag, 'fail while this exists\n');
    // A: its only attempt fails while the flag exists (maxAttempts 1 → blocked retry_exhausted).
    writePacket(repo, packet({ id: 'work-a', command: agent('fail-while', { flag }), limits: { maxAttempts: 1 } }), 'a.json');
    const a = approve(repo, 'a.json');
    const first = buran(repo, 'run', '--run', a);
    expect(first.status, first.stdout + first.stderr).toBe(3);
    expect(status(repo, a).blocker?.code).toBe('retry_exhausted');
    // Blocked: its scope is free.
    expect(scopeHolders(repo)).not.toContain(a);

    // B writes the same file (scope src/alpha.txt), slowly: it leases while A waits for a person.
    const marker = markerFile(repo, 'b.txt');
    writePacket(repo, packet({ id: 'work-b', command: ['node', fixture('slow-agent.mjs'), marker, '6000'] }), 'b.json');
    const b = approve(repo, 'b.json');
    const driver = spawn('node', [BIN, 'run', '--run', b], { cwd: repo, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    drivers.push(driver);
    const bDone = new Promise<number | null>((done) => driver.on('exit', (code) => done(code)));
    await waitFor('run B to hold its scope and start its worker', () => markerLines(marker).length >= 1, 30_000);
    expect(scopeHolders(repo)).toEqual([b]);

    // Retry A while B holds the floor: A re-takes its scope before anything runs, and cannot.
    rmSync(flag);
    expect(buran(repo, 'unblock', '--run', a, '--decision', 'retry', '--by', 'tester', '--reason', 'flag removed').status).toBe(0);
    const again = buran(repo, 'run', '--run', a);
    expect(again.status, again.stdout + again.stderr).toBe(3);
    const blockedAgain = status(repo, a);
    expect(blockedAgain.blocker?.code).toBe('lease_conflict');
    expect(blockedAgain.blocker?.details['otherRun']).toBe(b);
    expect(blockedAgain.nextSafeAction.command).toBe(`buran unblock --run ${a} --decision retry`);
    // A blocked again: it holds nothing (B may have finished meanwhile and released its own).
    expect(scopeHolders(repo)).not.toContain(a);

    expect(await bDone).toBe(0);
    expect(status(repo, b).status).toBe('handoff_ready');
    // B is done: the next retry of A re-takes the scope and carries out the task retry it was asked for first.
    expect(buran(repo, 'unblock', '--run', a, '--decision', 'retry', '--by', 'tester', '--reason', 'B is done').status).toBe(0);
    const last = buran(repo, 'run', '--run', a);
    expect(last.status, last.stdout + last.stderr).toBe(0);
    const done = status(repo, a);
    expect(done.status).toBe('handoff_ready');
    expect(scopeHolders(repo)).toEqual([]);
  }, 120_000);
});
