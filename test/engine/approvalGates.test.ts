// Approval gates through the runner with the in-memory twins: the run stops
// waiting (status waiting) for the gate asked now, a decision is recorded
// with who, why, gate and epoch; approve goes on to the next gate or handoff,
// reject starts a fix round with the reason as the finding or ends the run
// failed, as the gate says; a decision for a gate not asked is refused.
import { describe, expect, it } from 'vitest';
import type { ApprovalOutcome, RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { statusJson } from '../../src/engine/statusView.js';
import { createMemoryInbox } from '../../src/engine/inbox.js';
import { createMemoryLocks } from '../../src/engine/locks.js';
import { type NotifyRequest, createRunner } from '../../src/engine/runner.js';
import { createScriptedEffects, type Script } from '../../src/engine/scriptedEffects.js';
import { createMemoryStore } from '../../src/store/memoryStore.js';

const input = (maxFixRounds = 2): RunInput => ({
  runId: 'r1',
  approvedHash: 'sha256:' + 'a'.repeat(64),
  tasks: [{ id: 'api', dependsOn: [], scope: ['src/api'] }],
  limits: { ...DEFAULT_LIMITS, maxFixRounds },
});

const gates = (...list: [string, 'fix' | 'end'][]): ApprovalOutcome => ({ pending: list.map(([name, onReject]) => ({ name, onReject, matched: [] })), skipped: [{ name: 'docs', paths: ['docs/**'] }] });

async function setup(approvals: NonNullable<Script['approvals']>, maxFixRounds = 2) {
  const effects = createScriptedEffects({ approvals });
  const notified: NotifyRequest[] = [];
  const notify = (request: NotifyRequest) => {
    notified.push(request);
    return Promise.resolve([{ target: 'test', ok: true, tries: 1, error: null }]);
  };
  const runner = createRunner({ store: createMemoryStore(), locks: createMemoryLocks(), effectsFor: () => effects, inbox: createMemoryInbox(), notify });
  await runner.createRun({ runId: 'r1', record: { runId: 'r1' }, input: input(maxFixRounds) });
  return { runner, effects, notified };
}

const decide = (gate: string, verdict: 'approve' | 'reject', reason = 'looked at it') => ({ type: 'DECIDE' as const, gate, verdict, by: 'alice', reason });

describe('approval gates', () => {
  it('waits for each gate in order, records every approval, then hands off', async () => {
    const { runner, effects, notified } = await setup(() => gates(['security', 'fix'], ['legal', 'end']));
    const waiting = await runner.drive('r1');
    expect(waiting.status).toBe('waiting');
    expect(waiting.stage).toBe('active.awaitingApproval');
    expect(waiting.nextSafeAction.command).toBe('buran decide --run r1 --gate security --approve --by <you> --reason "<why>"');
    expect(effects.calls.some((c) => c.effect === 'performHandoff')).toBe(false);

    const status = statusJson(waiting, null, null);
    expect(status.approvals).toMatchObject({ waitingFor: 'security', approved: [], skipped: [{ name: 'docs', paths: ['docs/**'] }] });
    // The driver tells people once it stops at a gate, and records that it did.
    expect(notified.map((n) => [n.status, n.view.stage])).toEqual([['waiting', 'active.awaitingApproval']]);
    expect((await runner.events('r1')).filter((e) => e.type === 'notified').map((e) => e.data['status'])).toEqual(['waiting']);

    await expect(runner.command('r1', decide('legal', 'approve'))).rejects.toThrow('run r1 waits for approval gate security, not legal');
    const next = await runner.command('r1', decide('security', 'approve'));
    expect('queued' in next ? null : next.nextSafeAction.command).toContain('--gate legal');
    const approved = await runner.command('r1', decide('legal', 'approve', 'terms fine'));
    expect('queued' in approved ? null : approved.stage).toBe('active.handoff');
    const done = await runner.drive('r1');
    expect(done.status).toBe('handoff_ready');
    expect(done.snapshot.context.decisions).toEqual([
      { decision: 'approve', by: 'alice', reason: 'looked at it', blockerCode: null, gate: 'security', epoch: 1 },
      { decision: 'approve', by: 'alice', reason: 'terms fine', blockerCode: null, gate: 'legal', epoch: 1 },
    ]);
    const events = await runner.events('r1');
    expect(events.find((e) => e.to === 'active.awaitingApproval')?.data).toMatchObject({ approvalsPending: ['security', 'legal'], approvalsSkipped: [{ name: 'docs' }] });
  });

  it('a rejection with onReject fix starts a fix round whose finding is the reason, then asks the gate again', async () => {
    const { runner, effects } = await setup(() => gates(['security', 'fix']));
    await runner.drive('r1');
    await runner.command('r1', decide('security', 'reject', 'the token is logged'));
    const again = await runner.drive('r1');
    expect(again.stage).toBe('active.awaitingApproval');
    expect(again.snapshot.context.epoch).toBe(2);
    expect(again.snapshot.context.fixFindings['api']).toEqual([{ message: 'approval gate security rejected by alice: the token is logged', severity: 'error', rule: 'approval_rejected' }]);
    const fixDispatch = effects.calls.filter((c) => c.effect === 'dispatchWorker').at(-1)?.input as { attempt: { epoch: number }; findings: { message: string }[] };
    expect(fixDispatch.attempt.epoch).toBe(2);
    expect(fixDispatch.findings.map((f) => f.message)).toEqual(['approval gate security rejected by alice: the token is logged']);
    await runner.command('r1', decide('security', 'approve'));
    expect((await runner.drive('r1')).status).toBe('handoff_ready');
  });

  it('a rejection past limits.maxFixRounds blocks fix_exhausted; one with onReject end ends the run failed', async () => {
    const bounded = await setup(() => gates(['security', 'fix']), 0);
    await bounded.runner.drive('r1');
    const blocked = await bounded.runner.command('r1', decide('security', 'reject', 'no'));
    const blocker = 'queued' in blocked ? null : blocked.blocker;
    expect(blocker?.code).toBe('fix_exhausted');
    expect(blocker?.message).toContain('approval gate security was rejected by alice (no) and no fix round is left');

    const ending = await setup(() => gates(['legal', 'end']));
    await ending.runner.drive('r1');
    const failed = await ending.runner.command('r1', decide('legal', 'reject', 'not allowed to ship'));
    expect('queued' in failed ? null : failed.status).toBe('failed');
    expect(ending.effects.calls.some((c) => c.effect === 'performHandoff')).toBe(false);
  });

  it('goes straight to handoff when no gate applies, and refuses a decision when nothing waits', async () => {
    const { runner } = await setup(() => ({ pending: [], skipped: [{ name: 'docs', paths: ['docs/**'] }] }));
    const done = await runner.drive('r1');
    expect(done.status).toBe('handoff_ready');
    expect(done.snapshot.context.approvals).toEqual({ epoch: 1, pending: [], approved: [], skipped: [{ name: 'docs', paths: ['docs/**'] }] });
    await expect(runner.command('r1', decide('docs', 'approve'))).rejects.toThrow('run r1 is readyForReview: it waits for no approval gate');
  });
});
