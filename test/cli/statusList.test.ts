// `buran status` without --run lists the runs from the index alone: what the
// drivers recorded, without opening a run folder; `status --run` stays the
// checked view.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStore } from '../../src/store/index.js';
import { agent, approvedRun, cleanup, packet } from '../engine/fixtures/project.js';
import { buranIn } from '../inspect/fixtures/cli.js';

afterAll(cleanup);

describe('buran status (all runs)', () => {
  it('lists a new run as the index has it: queued, its stage and epoch', async () => {
    const { repo, runId } = await approvedRun(packet({ command: agent('ok') }));
    const listed = JSON.parse((await buranIn(repo, 'status', '--json')).out) as Record<string, unknown>[];
    expect(listed).toEqual([expect.objectContaining({ runId, status: 'queued', stage: 'active.intake', epoch: 1, blockerCode: null, sandbox: null })]);
  });

  it('reads no run folder: a run whose snapshot is gone is still listed, while status --run refuses it', async () => {
    const { repo, runId } = await approvedRun(packet({ command: agent('ok') }));
    rmSync(join(createFileStore({ root: repo }).runDir(runId), 'snapshot.json'));
    const list = await buranIn(repo, 'status');
    expect(list.code).toBe(0);
    expect(list.out).toContain(`${runId}  queued  active.intake`);
    const checked = await buranIn(repo, 'status', '--run', runId);
    expect(checked.code).toBe(3);
    expect(checked.err).toContain('store_corrupt');
  });
});
