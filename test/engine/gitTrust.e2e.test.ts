// A worker that plants programs in the repository's shared git config (an
// fsmonitor and a clean filter, which git runs by itself inside `add` and
// `status`), end to end on real git: sandboxed, the write is refused; in
// trusted-worker mode (sandbox: none), buran's git refuses to run on the
// changed config, the attempt blocks with policy_denied, and the config is put
// back with the planted version kept as evidence. The payload never runs.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agent, approvedRun, cleanup, git, makeRepo, markerFile, packet } from './fixtures/project.js';

afterAll(cleanup);

describe('git configuration planted by a worker', { timeout: 120_000 }, () => {
  it('trusted-worker mode: the attempt is a policy violation, the config is put back, the payload never runs', async () => {
    const repo = makeRepo({ sandbox: 'none' });
    const payload = markerFile(repo, 'payload-ran');
    const before = readFileSync(join(repo, '.git', 'config'), 'utf8');
    const { project, runId } = await approvedRun(packet({ command: agent('plant-git-config', { flag: payload }) }), { repo });
    const result = await project.runner.drive(runId);

    expect(result.status).toBe('blocked');
    expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('policy_denied');
    expect(result.blocker?.message).toContain(join(repo, '.git', 'config'));
    expect(readFileSync(join(repo, '.git', 'config'), 'utf8')).toBe(before);
    // The planted version is kept in the run folder as evidence.
    const quarantine = join(project.storeDir, 'runs', runId, 'git-trust', 'changed');
    const kept = readdirSync(quarantine).map((name) => readFileSync(join(quarantine, name), 'utf8'));
    expect(kept.some((text) => text.includes('fsmonitor') && text.includes('filter "pwn"'))).toBe(true);
    // Nothing buran ran (and nothing the user runs next) fires the payload.
    git(repo, 'status', '--porcelain');
    expect(existsSync(payload)).toBe(false);
  });

  it.each(['auto', 'none'] as const)('an embedded repository the worker made (with its own filter) is a policy violation before buran runs git on it (sandbox %s)', async (sandbox) => {
    const repo = makeRepo({ sandbox });
    const payload = markerFile(repo, 'payload-ran');
    const { project, runId } = await approvedRun(packet({ command: agent('nested-repo', { flag: payload }) }), { repo });
    const result = await project.runner.drive(runId);
    expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('policy_denied');
    expect(result.blocker?.message).toContain('src/sub/.git');
    expect(existsSync(payload)).toBe(false);
  });

  it('sandboxed: the shared git dir is read-only to the worker, so nothing is planted and the payload never runs', async () => {
    const repo = makeRepo();
    const payload = markerFile(repo, 'payload-ran');
    const before = readFileSync(join(repo, '.git', 'config'), 'utf8');
    const { project, runId } = await approvedRun(packet({ command: agent('plant-git-config', { flag: payload }), limits: { maxFixRounds: 0 } }), { repo });
    const result = await project.runner.drive(runId);

    expect(readFileSync(join(repo, '.git', 'config'), 'utf8')).toBe(before);
    expect(existsSync(payload)).toBe(false);
    // The worker saw its write refused; its out-of-scope .gitattributes is a review finding, not something git acts on.
    expect(git(repo, 'show', `buran-task/${runId}/alpha:src/alpha.txt`)).toContain('refused: EROFS');
    expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('fix_exhausted');
    expect(JSON.stringify(result.blocker?.details)).toContain('.gitattributes');
  });
});
