import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { buildReport, reportMarkdown } from '../../src/engine/report.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

describe('run report', () => {
  it('lists every task with its attempts and epochs, the integration gates and the next safe action', async () => {
    const runner = createRunner({
      store: createMemoryStore(),
      locks: createMemoryLocks(),
      effectsFor: () => createScriptedEffects({ taskVerification: (i) => (i.taskId === 'api' && i.epoch === 1 ? 'FAIL' : 'PASS') }),
    });
    await runner.createRun({ runId: 'r1', record: {}, input: { runId: 'r1', approvedHash: 'sha256:x', tasks: [{ id: 'api', dependsOn: [], scope: ['a'] }, { id: 'ui', dependsOn: ['api'], scope: ['b'] }], limits: DEFAULT_LIMITS } });
    const result = await runner.drive('r1');
    const report = buildReport(result.snapshot, await runner.events('r1'));
    expect(report.status).toBe('handoff_ready');
    const api = report.tasks.find((t) => t.id === 'api');
    expect(api?.epoch).toBe(2);
    expect(api?.attempts.map((a) => `${a.attemptId}@${a.epoch}:${a.outcome}`)).toEqual(['api.a1@1:completed', 'api.a2@2:completed']);
    expect(api?.gates.map((g) => `${g.gate}@${g.epoch}:${g.status}`)).toEqual(['verification@1:FAIL', 'verification@2:PASS', 'review@2:PASS']);
    const md = reportMarkdown(report);
    expect(md).toContain('# buran run r1');
    expect(md).toContain('| api.a2 | 2 | completed |');
    expect(md).toContain('buran report --run r1');
  });
});

describe('run report: the sandbox', () => {
  const run = async () => {
    const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => createScriptedEffects({}) });
    await runner.createRun({ runId: 'r1', record: {}, input: { runId: 'r1', approvedHash: 'sha256:x', tasks: [{ id: 'api', dependsOn: [], scope: ['a'] }], limits: DEFAULT_LIMITS } });
    return { snapshot: (await runner.drive('r1')).snapshot, events: await runner.events('r1') };
  };

  it('says how the run was confined: bwrap with its path, or unsandboxed with the reason', async () => {
    const { snapshot, events } = await run();
    const confined = buildReport(snapshot, events, {}, null, { mode: 'auto', kind: 'bwrap', network: true, note: 'bwrap (/usr/bin/bwrap)', decidedAt: '2026-01-01T00:00:00.000Z' });
    expect(confined.sandbox).toEqual({ mode: 'auto', kind: 'bwrap', network: true, note: 'bwrap (/usr/bin/bwrap)' });
    expect(reportMarkdown(confined)).toContain('- **sandbox:** bwrap (/usr/bin/bwrap)\n');
    const open = buildReport(snapshot, events, {}, null, { mode: 'auto', kind: 'none', network: true, note: 'unsandboxed: bwrap (bubblewrap) is not installed in /usr/bin, /bin, /usr/local/bin', decidedAt: '2026-01-01T00:00:00.000Z' });
    expect(reportMarkdown(open)).toContain('- **unsandboxed:** bwrap (bubblewrap) is not installed');
  });

  it('says when no driver has decided the sandbox yet', async () => {
    const { snapshot, events } = await run();
    const report = buildReport(snapshot, events);
    expect(report.sandbox).toBeNull();
    expect(reportMarkdown(report)).toContain('- **sandbox:** not decided yet');
  });
});
