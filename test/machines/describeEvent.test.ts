import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/machines/describeEvent.js';

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
    const described = describeEvent({ type: 'xstate.done.actor.merge', output: { status: 'conflict', files: ['src/a.ts', 'src/b.ts'], message: 'merge conflict in 2 files' } } as { type: string });
    expect(described.message).toBe('merge conflict in 2 files');
    expect(described.details['files']).toEqual(['src/a.ts', 'src/b.ts']);
  });

  it('summarises an unknown event without a message rather than inventing one', () => {
    expect(describeEvent({ type: 'SOMETHING' })).toEqual({ message: null, details: { event: 'SOMETHING' } });
  });
});
