// Exit code 5: a run already being driven by another process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approvedRun, makeRepo, markerFile, packet } from '../engine/fixtures/project.js';

const BIN = resolve('bin/buran.js');

describe('buran run on a run another process drives', () => {

  it('exits 5 naming the holder, and the first driver still finishes the run (exit 0)', async () => {
    const repo = makeRepo();
    const marker = markerFile(repo);
    const { runId } = await approvedRun(packet({ command: ['node', resolve('test/engine/fixtures/slow-agent.mjs'), marker, '2500'] }), { repo });
    const first = spawn('node', [BIN, 'run', '--run', runId], { cwd: repo, stdio: 'ignore' });
    const firstExit = new Promise<number | null>((done) => first.on('exit', (code) => done(code)));
    for (let i = 0; i < 200 && !(existsSync(marker) && readFileSync(marker, 'utf8').length > 0); i++) await new Promise((r) => setTimeout(r, 50));
    const second = spawnSync('node', [BIN, 'run', '--run', runId], { cwd: repo, encoding: 'utf8' });
    expect(second.status).toBe(5);
    expect(second.stderr).toContain('run_locked');
    expect(await firstExit).toBe(0);
  }, 60_000);
});
