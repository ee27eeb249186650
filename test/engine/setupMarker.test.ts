import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isBuranError } from '../../src/domain/errors.js';
import { readSetupMarker, setupMarkerPath, writeSetupMarker } from '../../src/engine/setupMarker.js';
import { createWorktreeSetup } from '../../src/engine/worktreeSetup.js';
import { sha256 } from '../../src/domain/hash.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'buran-marker-'));
  dirs.push(dir);
  return dir;
};

const record = { where: 'task api', status: 'ok' as const, commands: [{ argv: ['true'], exitCode: 0, timedOut: false, durationMs: 3, evidence: sha256('e') }] };

describe('setup marker', () => {
  it('is found for the same worktree, epoch and commands, as reused', async () => {
    const runDir = tempDir();
    const worktree = tempDir();
    const key = { runDir, worktree, epoch: 1, commands: [['true']] };
    expect(await readSetupMarker(key)).toBeNull();
    await writeSetupMarker(key, record);
    expect(await readSetupMarker(key)).toEqual({ ...record, status: 'reused' });
  });

  it('is not taken for another epoch, other commands, or the same path made again', async () => {
    const runDir = tempDir();
    const worktree = join(tempDir(), 'wt');
    mkdirSync(worktree);
    const key = { runDir, worktree, epoch: 1, commands: [['true']] };
    await writeSetupMarker(key, record);
    expect(await readSetupMarker({ ...key, epoch: 2 })).toBeNull();
    expect(await readSetupMarker({ ...key, commands: [['false']] })).toBeNull();
    rmSync(worktree, { recursive: true });
    writeFileSync(join(runDir, 'spacer'), 'x'.repeat(10)); // a new inode for the new directory
    mkdirSync(worktree);
    expect(await readSetupMarker(key)).toBeNull();
  });

  it('refuses a marker that does not parse (store_corrupt) rather than set up again silently', async () => {
    const runDir = tempDir();
    const key = { runDir, worktree: tempDir(), epoch: 1, commands: [['true']] };
    await writeSetupMarker(key, record);
    writeFileSync(setupMarkerPath(key), '{ nope');
    const error = await readSetupMarker(key).catch((e: unknown) => e);
    expect(isBuranError(error) && error.code).toBe('store_corrupt');
  });
});

describe('createWorktreeSetup', () => {
  const options = (runDir: string) => ({
    repoRoot: '/nowhere',
    runDir,
    envAllowlist: ['PATH'],
    env: process.env,
    timeoutMs: 20_000,
    putEvidence: (text: string) => Promise.resolve(sha256(text)),
  });

  it('runs once per worktree and epoch, and again for a new epoch', async () => {
    const runDir = tempDir();
    const worktree = tempDir();
    const setup = createWorktreeSetup({ ...options(runDir), commands: [['sh', '-c', 'echo x >> count']] });
    expect((await setup.once('task a', worktree, 1))?.record.status).toBe('ok');
    expect((await setup.once('task a', worktree, 1))?.record.status).toBe('reused');
    expect((await setup.once('task a', worktree, 2))?.record.status).toBe('ok');
    expect(readFileSync(join(worktree, 'count'), 'utf8')).toBe('x\nx\n');
  });

  it('records nothing for a failed setup, so a retry runs it again', async () => {
    const runDir = tempDir();
    const worktree = tempDir();
    const setup = createWorktreeSetup({ ...options(runDir), commands: [['sh', '-c', 'echo x >> count; test -f ok']] });
    expect((await setup.once('task a', worktree, 1))?.record.status).toBe('failed');
    writeFileSync(join(worktree, 'ok'), '');
    expect((await setup.once('task a', worktree, 1))?.record.status).toBe('ok');
  });

  it('runs every time in a fresh checkout, and not at all without setup commands', async () => {
    const runDir = tempDir();
    const checkout = tempDir();
    const setup = createWorktreeSetup({ ...options(runDir), commands: [['true']] });
    expect((await setup.fresh('verify run', checkout))?.record.status).toBe('ok');
    expect((await setup.fresh('verify run', checkout))?.record.status).toBe('ok');
    const none = createWorktreeSetup({ ...options(runDir), commands: [] });
    expect(await none.once('task a', checkout, 1)).toBeNull();
    expect(await none.fresh('verify run', checkout)).toBeNull();
  });
});
