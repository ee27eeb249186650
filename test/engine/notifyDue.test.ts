import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { notificationDue } from '../../src/engine/notifyDue.js';

let seq = 0;
const ev = (fields: Partial<EventRecord>): EventRecord => ({ seq: ++seq, ts: '2026-01-01T00:00:00.000Z', runId: 'r1', type: 'transition', from: null, to: null, data: {}, ...fields });

describe('notificationDue', () => {
  it('owes a notification for the run transition into blocked, paused or readyForReview, keyed by its seq', () => {
    const into = ev({ from: 'active.implementing', to: 'blocked' });
    const events = [ev({ to: 'active.implementing' }), ev({ type: 'task_transition', taskId: 'a', from: 'working.awaiting', to: 'blocked' }), into];
    expect(notificationDue(events, 'blocked')).toEqual({ status: 'blocked', forSeq: into.seq });
    expect(notificationDue([ev({ from: 'active.handoff', to: 'readyForReview' })], 'readyForReview')?.status).toBe('handoff_ready');
  });

  it('owes nothing once a notified or notify_failed event names that seq, nor for a state that does not notify', () => {
    const into = ev({ from: 'active.implementing', to: 'paused' });
    expect(notificationDue([into, ev({ type: 'notify_failed', data: { forSeq: into.seq } })], 'paused')).toBeNull();
    expect(notificationDue([into, ev({ type: 'notified', data: { forSeq: into.seq } })], 'paused')).toBeNull();
    expect(notificationDue([ev({ to: 'active.implementing' })], 'active.implementing')).toBeNull();
  });

  it('a later transition into the same state (after a resume) is owed again; a self-transition is not a new one', () => {
    const first = ev({ from: 'active.implementing', to: 'paused' });
    const sent = ev({ type: 'notified', data: { forSeq: first.seq } });
    const self = ev({ from: 'paused', to: 'paused' });
    expect(notificationDue([first, sent, self], 'paused')).toBeNull();
    const second = ev({ from: 'active.implementing', to: 'paused' });
    expect(notificationDue([first, sent, ev({ from: 'paused', to: 'active.implementing' }), second], 'paused')).toEqual({ status: 'paused', forSeq: second.seq });
  });
});
