// Preflight (the run chart's checkAdapters) refuses what would fail in every
// attempt, before any worker round is spent: here, a worker command whose
// script is missing. Real temp git repositories and the real engine; no
// worker is started.
import { afterAll, describe, expect, it } from 'vitest';
import { openProject } from '../../src/engine/project.js';
import { attemptIds, cleanup, makeRepo, packet, writePacket } from './fixtures/project.js';

afterAll(cleanup);

describe('preflight', () => {
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
