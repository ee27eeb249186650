import { describe, expect, it } from 'vitest';
import { runChart } from '../../machines/run.machine.js';
import { taskChart } from '../../machines/task.machine.js';
import { describeChart } from '../../src/export/describeChart.js';
import { EFFECT_DESCRIBERS, describeEvent } from '../../src/machines/describeEvent.js';

describe('describeEvent', () => {
  it('says which budget ran out for the run wall clock, a refused dispatch and reported spend', () => {
    const deadline = describeEvent({ type: 'RUN_DEADLINE', now: Date.UTC(2026, 10, 21, 12) } as { type: string });
    expect(deadline.message).toContain('limits.runTimeoutMin');
    expect(deadline.details).toMatchObject({ budget: 'runTimeoutMin', at: '2026-11-21T12:00:00.000Z' });
    expect(describeEvent({ type: 'DISPATCH_REQUEST', taskId: 'a' } as { type: string }).message).toContain('limits.maxDispatches');
    const spend = describeEvent({ type: 'TASK_USAGE', usage: { inputTokens: 1, outputTokens: 2, costUsd: 3 } } as { type: string });
    expect(spend.message).toContain('limits.budgetUsd');
    expect(spend.details['usage']).toEqual({ inputTokens: 1, outputTokens: 2, costUsd: 3 });
    expect(describeEvent({ type: 'TASK_USAGE', usage: null } as { type: string }).message).toContain('could not report its usage');
  });

  it('keeps the conflicting files of a merge conflict in the details', () => {
    const described = describeEvent({ type: 'xstate.done.actor.mergeTask', output: { status: 'conflict', files: ['src/a.ts', 'src/b.ts'], message: 'merge conflict in 2 files' } } as { type: string });
    expect(described.message).toBe('merge conflict in 2 files');
    expect(described.details['files']).toEqual(['src/a.ts', 'src/b.ts']);
  });

  it('summarises an unknown event without a message rather than inventing one', () => {
    expect(describeEvent({ type: 'SOMETHING' })).toEqual({ message: null, details: { event: 'SOMETHING' } });
  });

  it('describes every effect either chart invokes by the effect\'s name, not by the shape of its output', () => {
    const invoked = [runChart, taskChart].flatMap((chart) => describeChart(chart).states.flatMap((st) => st.invoke.map((i) => i.id)));
    expect(invoked.length).toBeGreaterThan(10);
    expect(invoked.filter((id) => EFFECT_DESCRIBERS[id] === undefined)).toEqual([]);
    // An output that looks like a refusal but comes from an effect that is not one is not read as one.
    const gateShaped = describeEvent({ type: 'xstate.done.actor.checkIntake', output: { status: 'ok', message: 'looks like a refusal' } } as { type: string });
    expect(gateShaped.message).toBeNull();
  });

  it('reads a gate result as a gate and a worker outcome as a worker outcome', () => {
    const gate = describeEvent({ type: 'xstate.done.actor.runVerification', output: { gate: 'verification', subject: 'integration', status: 'FAIL', summary: '1 of 2 failed', findings: [], policyViolations: [] } } as { type: string });
    expect(gate.message).toBe('integration verification FAIL: 1 of 2 failed');
    const worker = describeEvent({ type: 'xstate.done.actor.awaitCompletion', output: { kind: 'timeout', reason: 'heartbeat' } } as { type: string });
    expect(worker.message).toBe('worker outcome timeout: heartbeat');
  });
});
