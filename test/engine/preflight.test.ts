// Preflight (the run chart's checkAdapters) refuses what would fail in every
// attempt, before any worker round is spent: a system buran cannot supervise
// workers on, and a worker command whose script is missing. Real temp git
// repositories and the real engine; no worker is started.
import { afterAll, describe, expect, it } from 'vitest';
import { openProject } from '../../src/engine/project.js';
import { agent, attemptIds, cleanup, makeRepo, packet, writePacket } from './fixtures/project.js';

afterAll(cleanup);

describe('preflight', () => {
  it.each([
    [{ os: 'darwin', procAvailable: false }, /only on Linux.*darwin/],
    [{ os: 'linux', procAvailable: false }, /\/proc.*not mounted/],
  ])('blocks adapter_unavailable on an unsupported system (%j) before any attempt', async (platform, message) => {
    const repo = makeRepo();
    const project = await openProject({ cwd: repo, platform });
    const { runId } = await project.approve(writePacket(repo, packet({ command: agent('ok') })), 'tester');
    const result = await project.runner.drive(runId);
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('adapter_unavailable');
    expect(result.blocker?.message).toMatch(message);
    expect(result.blocker?.details).toMatchObject({ os: platform.os, procAvailable: false });
    expect(attemptIds(project, runId)).toEqual([]);
  }, 30_000);

  it('blocks adapter_unavailable when the script the worker command runs is missing, though bash is found', async () => {
    const repo = makeRepo();
    const project = await openProject({ cwd: repo });
    const { runId } = await project.approve(writePacket(repo, packet({ command: ['bash', '/missing.sh'] })), 'tester');
    const result = await project.runner.drive(runId);
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('adapter_unavailable');
    expect(result.blocker?.message).toContain('worker.command[1]: the script /missing.sh that bash runs does not exist');
    expect(attemptIds(project, runId)).toEqual([]);
  }, 30_000);
});
