import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { type EventDraft, Recorder } from '../../src/engine/recorder.js';

const step = (from: string, to: string): EventDraft => ({ runId: 'r1', type: 'transition', from, to, data: {} });
const logged = (seq: number, draft: EventDraft): EventRecord => ({ ...draft, seq, ts: '2026-11-21T00:00:00.000Z' });

describe('Recorder', () => {
  it('drops re-recorded tail transitions even when a lock takeover is recorded before them (regression: a takeover after a crash between the events append and the snapshot duplicated the tail)', () => {
    const tail = [logged(1, step('active.intake', 'active.queued'))];
    const recorder = new Recorder(1, tail);
    recorder.add({ runId: 'r1', type: 'lock_takeover', from: null, to: null, data: { previous: { reason: 'dead' } } });
    recorder.add(step('active.intake', 'active.queued'));
    recorder.add(step('active.queued', 'active.preflight'));
    const out = recorder.drain(0);
    expect(out.map((e) => [e.seq, e.type, e.to])).toEqual([
      [2, 'lock_takeover', null],
      [3, 'transition', 'active.preflight'],
    ]);
  });

  it('skips a takeover note inside the tail (a driver that crashed right after recording its takeover) when matching re-recorded transitions', () => {
    const tail = [logged(1, { runId: 'r1', type: 'lock_takeover', from: null, to: null, data: {} }), logged(2, step('active.intake', 'active.queued'))];
    const recorder = new Recorder(2, tail);
    recorder.add(step('active.intake', 'active.queued'));
    recorder.add(step('active.queued', 'active.preflight'));
    expect(recorder.drain(0).map((e) => [e.seq, e.to])).toEqual([[3, 'active.preflight']]);
  });

  it('matches the tail per stream, so parallel tasks re-taking their transitions in another interleaving are not appended twice (regression)', () => {
    const task = (taskId: string, from: string, to: string): EventDraft => ({ runId: 'r1', type: 'task_transition', from, to, taskId, data: {} });
    const aboutTask = (taskId: string, event: string): EventDraft => ({ runId: 'r1', type: 'transition', from: 'active.implementing', to: 'active.implementing', data: { event, taskId } });
    const logged1 = [task('a', 'working.merging', 'working.passed'), aboutTask('a', 'TASK_PASSED'), task('b', 'working.awaiting', 'working.verifying'), aboutTask('b', 'TASK_USAGE')];
    const recorder = new Recorder(4, logged1.map((d, i) => logged(i + 1, d)));
    expect(recorder.replaying).toBe(true);
    // Re-taken with b first this time, then a, then something new.
    for (const d of [logged1[2], logged1[3], logged1[0], logged1[1]]) recorder.add(d as EventDraft);
    recorder.add(task('b', 'working.verifying', 'working.reviewing'));
    expect(recorder.drain(0).map((e) => [e.seq, e.to])).toEqual([[5, 'working.reviewing']]);
    expect(recorder.replaying).toBe(false);
  });

  it('appends everything once the restored run takes a different transition than the tail', () => {
    const recorder = new Recorder(2, [logged(1, step('a', 'b')), logged(2, step('b', 'c'))]);
    recorder.add(step('a', 'b'));
    recorder.add(step('b', 'x'));
    recorder.add(step('b', 'c'));
    expect(recorder.drain(0).map((e) => [e.seq, e.to])).toEqual([
      [3, 'x'],
      [4, 'c'],
    ]);
  });
});
