import { describe, expect, it } from 'vitest';
import type { CommandEvidence, GateResult } from '../../src/domain/gates.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { statusLines } from '../../src/cli/format.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { blockerFindings, gatherReasons } from '../../src/engine/reasons.js';
import { redactorOf } from '../../src/engine/redactResults.js';
import { buildReport, reportMarkdown } from '../../src/engine/report.js';
import { createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { statusJson } from '../../src/engine/statusView.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const TOKEN = `ghp_${'a1B2'.repeat(9)}`;
const tasks = [{ id: 'api', dependsOn: [], scope: ['src/api.ts'] }];
const gate = (g: Partial<GateResult> & Pick<GateResult, 'gate' | 'status' | 'epoch'>): GateResult => ({
  subject: 'task',
  taskId: 'api',
  summary: `${g.gate} ${g.status}`,
  findings: [],
  policyViolations: [],
  evidence: [],
  ...g,
});

async function views(runner: ReturnType<typeof createRunner>, store: ReturnType<typeof createMemoryStore>, runId: string) {
  const view = await runner.inspect(runId);
  const snap = { context: view.snapshot.context, children: view.snapshot.children as Readonly<Record<string, unknown>> };
  const reasons = await gatherReasons(snap, view.status === 'blocked' ? view.blocker : null, { runId, getArtifact: (r, h) => store.getArtifact(r, h), runDir: store.runDir(runId), redact: redactorOf([]) });
  const report = buildReport(view.snapshot, await runner.events(runId), {}, null, null, { reasons });
  const status = statusLines(statusJson(view, null, null), reasons).join('\n');
  return { view, reasons, report, markdown: reportMarkdown(report), status };
}

describe('reasons where people look', () => {
  it('a review FAIL that exhausts the fix rounds shows its findings (file, rule, message) in status and in the report', async () => {
    const store = createMemoryStore();
    const effects = createScriptedEffects({});
    const runner = createRunner({
      store,
      locks: createMemoryLocks(),
      effectsFor: () => ({
        ...effects,
        runTaskReview: (input) =>
          Promise.resolve(gate({ gate: 'review', status: 'FAIL', epoch: input.epoch, findings: [{ message: 'changed a file outside the task scope', severity: 'error', rule: 'out_of_scope', file: 'src/other.ts', taskId: 'api' }] })),
      }),
    });
    await runner.createRun({ runId: 'r1', record: {}, input: { runId: 'r1', approvedHash: 'sha256:x', tasks, limits: { ...DEFAULT_LIMITS, maxFixRounds: 0 } } });
    await runner.drive('r1');
    const { view, report, markdown, status } = await views(runner, store, 'r1');
    expect(view.blocker?.code).toBe('fix_exhausted');
    expect(report.reasons.findings).toEqual([{ taskId: 'api', rule: 'out_of_scope', file: 'src/other.ts', line: null, message: 'changed a file outside the task scope', policy: false }]);
    expect(markdown).toContain('| api | src/other.ts | out_of_scope | changed a file outside the task scope |');
    expect(status).toContain('  findings:\n    - api: src/other.ts [out_of_scope] changed a file outside the task scope');
  });

  it('each verification FAIL of each epoch shows the failing command and the end of its output, redacted', async () => {
    const store = createMemoryStore();
    const effects = createScriptedEffects({});
    const evidence: CommandEvidence = { argv: ['npm', 'test'], exitCode: 1, timedOut: false, durationMs: 5, stdoutTail: 'ok 1 - first\n', stderrTail: `AssertionError: expected 2 to be 3\nGITHUB_TOKEN=${TOKEN}\n` };
    const runner = createRunner({
      store,
      locks: createMemoryLocks(),
      effectsFor: () => ({
        ...effects,
        runTaskVerification: async (input) => {
          if (input.epoch > 1) return gate({ gate: 'verification', status: 'PASS', epoch: input.epoch });
          const hash = await store.putArtifact('r1', JSON.stringify(evidence));
          return gate({ gate: 'verification', status: 'FAIL', epoch: 1, findings: [{ message: 'npm test failed', severity: 'error' }], evidence: [{ kind: 'command', hash, label: 'verify[0] npm test' }] });
        },
      }),
    });
    await runner.createRun({ runId: 'r1', record: {}, input: { runId: 'r1', approvedHash: 'sha256:x', tasks, limits: DEFAULT_LIMITS } });
    expect((await runner.drive('r1')).status).toBe('handoff_ready');
    const { report, markdown, status } = await views(runner, store, 'r1');
    expect(report.reasons.failedCommands.map((f) => `${f.taskId}@${f.epoch} ${f.command} ${f.exitCode}`)).toEqual(['api@1 npm test 1']);
    expect(markdown).toContain('- FAIL: task api epoch 1: npm test (exit 1)');
    expect(markdown).toContain('AssertionError: expected 2 to be 3');
    expect(status).toContain('verification FAIL: task api epoch 1: npm test (exit 1)');
    expect(status).toContain('  | AssertionError: expected 2 to be 3');
    expect(`${markdown}\n${status}`).not.toContain(TOKEN);
  });

  it('the report shows tokens and cost per attempt, and the handoff next safe action shows how to see the change', async () => {
    const store = createMemoryStore();
    const runner = createRunner({
      store,
      locks: createMemoryLocks(),
      effectsFor: () => createScriptedEffects({ worker: (i) => ({ kind: 'completion', status: 'completed', digest: `sha256:${i.attempt.attemptId}`, summary: 'done', changedFiles: [], usage: { inputTokens: 1200, outputTokens: 340, costUsd: 0.0123, unknownAttempts: 0 } }) }),
    });
    await runner.createRun({ runId: 'r1', record: {}, input: { runId: 'r1', approvedHash: 'sha256:x', tasks, limits: DEFAULT_LIMITS } });
    await runner.drive('r1');
    const { report, markdown, view } = await views(runner, store, 'r1');
    expect(report.tasks[0]?.attempts[0]?.usage).toEqual({ inputTokens: 1200, outputTokens: 340, costUsd: 0.0123, unknownAttempts: 0 });
    expect(markdown).toContain('| api.a1 | 1 | completed | 1200 in / 340 out tokens, $0.0123 | done |');
    expect(markdown).toContain('- **usage:** 1200 in / 340 out tokens, $0.0123');
    expect(view.nextSafeAction.command).toBe('git diff 0000000...buran/r1');
    expect(view.nextSafeAction.text).toContain('git log 0000000..buran/r1');
  });

  it('reads policy violations before findings from a blocker, and ignores what is not a finding', () => {
    const found = blockerFindings({
      code: 'policy_denied',
      message: 'review FAIL',
      nextSafeAction: { text: 'x', command: null },
      details: { findings: [{ message: 'nope', severity: 'error' }, 'junk'], policyViolations: [{ message: 'touched .github/workflows/ci.yml', severity: 'error', rule: 'protected_path', file: '.github/workflows/ci.yml' }] },
    });
    expect(found.map((f) => `${f.policy ? 'policy' : 'finding'}:${f.rule ?? '-'}:${f.message}`)).toEqual(['policy:protected_path:touched .github/workflows/ci.yml', 'finding:-:nope']);
  });
});
