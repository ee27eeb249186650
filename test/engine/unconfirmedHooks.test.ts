import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { retriableHooks, unconfirmedHooks } from '../../src/engine/unconfirmedHooks.js';

let seq = 0;
const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 2, 0, s)).toISOString();
const event = (type: string, data: Record<string, unknown> = {}, extra: Partial<EventRecord> = {}): EventRecord => {
  seq += 1;
  return { seq, ts: at(seq), runId: 'r1', type, from: null, to: null, data, ...extra };
};
const cancelFailed = (unconfirmed: string[]) =>
  event('hook_failed', {
    hook: 'cancelWorkers',
    error: `the queue did not confirm the cancel of ${unconfirmed.length} queued attempt(s) (${unconfirmed.join(', ')})`,
    code: 'queue_unavailable',
    details: { unconfirmed },
    nextSafeAction: { text: 'Treat these attempts as running.', command: null },
  });

describe('unconfirmedHooks', () => {
  it('lists the hooks that failed since the run entered its state, in log order', () => {
    const events = [
      event('transition', {}, { from: 'active.implementing', to: 'cancelled' }),
      cancelFailed(['alpha.a1']),
      event('hook_failed', { hook: 'releaseLease', error: 'the lease folder is gone', code: null, nextSafeAction: null }),
    ];
    expect(unconfirmedHooks(events)).toEqual([
      { hook: 'cancelWorkers', code: 'queue_unavailable', message: 'the queue did not confirm the cancel of 1 queued attempt(s) (alpha.a1)', at: events[1]?.ts, nextSafeAction: { text: 'Treat these attempts as running.', command: null } },
      { hook: 'releaseLease', code: null, message: 'the lease folder is gone', at: events[2]?.ts, nextSafeAction: null },
    ]);
  });

  it('forgets failures of a state the run has left (a later run transition), not after a task transition', () => {
    const left = [event('transition', {}, { to: 'blocked' }), cancelFailed(['alpha.a1']), event('transition', {}, { from: 'blocked', to: 'active.implementing' })];
    expect(unconfirmedHooks(left)).toEqual([]);
    const taskMoved = [event('transition', {}, { to: 'cancelled' }), cancelFailed(['beta.a2']), event('task_transition', {}, { taskId: 'beta', to: 'cancelled' })];
    expect(unconfirmedHooks(taskMoved).map((h) => h.hook)).toEqual(['cancelWorkers']);
  });

  it('keeps the latest failure of a hook, and forgets it once the hook is confirmed (a cancel asked again)', () => {
    const events = [event('transition', {}, { to: 'cancelled' }), cancelFailed(['alpha.a1']), cancelFailed(['alpha.a1', 'beta.a1'])];
    expect(unconfirmedHooks(events)).toEqual([expect.objectContaining({ hook: 'cancelWorkers', at: events[2]?.ts, message: expect.stringContaining('beta.a1') as unknown })]);
    expect(retriableHooks(events)).toEqual(['cancelWorkers']);
    const confirmed = [...events, event('hook_confirmed', { hook: 'cancelWorkers', by: 'ops', reason: 'redis is back' })];
    expect(unconfirmedHooks(confirmed)).toEqual([]);
    expect(retriableHooks(confirmed)).toEqual([]);
  });

  it('asks again only the hooks buran runs: an unknown hook is shown, not retried', () => {
    const events = [event('hook_failed', { hook: 'somethingElse', error: 'no' }), event('hook_failed', { hook: 'releaseLease', error: 'gone' })];
    expect(unconfirmedHooks(events).map((h) => h.hook)).toEqual(['somethingElse', 'releaseLease']);
    expect(retriableHooks(events)).toEqual(['releaseLease']);
  });

  it('shows a failure whose data lacks the recorded form by its hook alone, never drops it', () => {
    const events = [event('hook_failed', { hook: 'cancelWorkers', error: 42 })];
    expect(unconfirmedHooks(events)).toEqual([{ hook: 'cancelWorkers', code: null, message: 'a final-state hook failed (its event does not say how)', at: events[0]?.ts, nextSafeAction: null }]);
    expect(unconfirmedHooks([event('hook_failed', {})])[0]?.hook).toBe('unknown');
  });

  it('is empty for a log without failures', () => {
    expect(unconfirmedHooks([event('transition', {}, { to: 'readyForReview' })])).toEqual([]);
    expect(unconfirmedHooks([])).toEqual([]);
  });
});
