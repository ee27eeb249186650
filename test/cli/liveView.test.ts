import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { foldEvents, initialLiveState, liveViewOf } from '../../src/cli/liveModel.js';
import { type LiveViewModel, displayWidth, formatDuration, renderLiveView } from '../../src/cli/liveView.js';

const view: LiveViewModel = {
  done: 1,
  total: 3,
  runElapsedMs: 12 * 60_000 + 3_000,
  runWords: null,
  tasks: [
    { id: 'alpha', words: 'agent working', forMs: 192_000, fixRound: 0, tone: 'normal', heartbeatAgeMs: 1_200, lastLine: 'running the unit tests of the parser module, then the integration tests of the whole command line tool' },
    { id: 'beta-with-a-longer-id', words: 'verifying', forMs: 5_000, fixRound: 2, tone: 'normal', heartbeatAgeMs: null, lastLine: null },
  ],
};

// eslint-disable-next-line no-control-regex -- escape sequences are what is looked for
const ESC = /\x1b\[[0-9;?]*[A-Za-z]/g;

describe('renderLiveView', () => {
  it('draws a header with N of M done and the run time, and one plain-words line per active task', () => {
    const lines = renderLiveView(view, { columns: 200, color: false });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('1 of 3 tasks done · run 12m03s');
    expect(lines[1]).toBe('  alpha                  agent working 3m12s · heartbeat 1s ago · running the unit tests of the parser module, then the integration tests of the whole command line tool');
    expect(lines[2]).toBe('  beta-with-a-longer-id  verifying 5s · fix round 2');
  });

  it('cuts every line to the width at 80 columns (ending in …) so nothing wraps', () => {
    const lines = renderLiveView(view, { columns: 80, color: false });
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(77);
    expect(lines[1]).toMatch(/…$/);
    expect(lines[1]?.startsWith('  alpha                  agent working 3m12s · heartbeat 1s ago · running')).toBe(true);
    expect(lines[2]).toBe('  beta-with-a-longer-id  verifying 5s · fix round 2');
  });

  it('counts wide characters as two cells when cutting', () => {
    const wide = { ...view, tasks: [{ ...view.tasks[0]!, lastLine: '测试'.repeat(60) }] };
    for (const line of renderLiveView(wide, { columns: 80, color: false })) expect(displayWidth(line)).toBeLessThanOrEqual(77);
  });

  it('colours only with color: true, and the cut is measured without the escape codes', () => {
    const plain = renderLiveView(view, { columns: 80, color: false });
    const coloured = renderLiveView(view, { columns: 80, color: true });
    expect(plain.join('')).not.toMatch(ESC);
    expect(coloured.join('')).toMatch(ESC);
    expect(coloured.map((l) => l.replace(ESC, ''))).toEqual(plain);
  });

  it('summarises the tasks that do not fit the terminal height in one line', () => {
    const many = { ...view, tasks: Array.from({ length: 30 }, (_, i) => ({ ...view.tasks[1]!, id: `t${i}` })) };
    const lines = renderLiveView(many, { columns: 80, rows: 10, color: false });
    expect(lines).toHaveLength(9);
    expect(lines.at(-1)).toBe('  … and 23 more active');
  });

  it('formats durations as 45s, 3m12s and 1h02m', () => {
    expect([formatDuration(45_400), formatDuration(192_000), formatDuration(3_720_000)]).toEqual(['45s', '3m12s', '1h02m']);
  });
});

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
let seq = 0;
const ev = (s: number, fields: Partial<EventRecord>): EventRecord => ({ seq: ++seq, ts: at(s), runId: 'r1', type: 'transition', from: null, to: null, data: {}, ...fields });

describe('liveViewOf', () => {
  it('folds the run events into done counts, run time since the first event, and per-task time in state', () => {
    const events = [
      ev(0, { to: 'active.intake' }),
      ev(1, { to: 'active.implementing' }),
      ev(2, { type: 'task_transition', taskId: 'a', attemptId: 'a.a1', epoch: 1, to: 'working.awaiting' }),
      ev(3, { type: 'task_transition', taskId: 'b', attemptId: 'b.a1', epoch: 1, to: 'working.awaiting' }),
      ev(10, { type: 'task_transition', taskId: 'b', attemptId: 'b.a1', epoch: 1, to: 'working.passed' }),
      ev(20, { type: 'task_transition', taskId: 'c', attemptId: 'c.a2', epoch: 3, to: 'working.verifying' }),
      ev(21, { type: 'task_transition', taskId: 'd', attemptId: 'd.a1', epoch: 1, to: 'blocked', data: { blocker: { code: 'fix_exhausted' } } }),
    ];
    const state = foldEvents(initialLiveState('r1', ['a', 'b', 'c', 'd', 'e']), events);
    const model = liveViewOf(state, Date.parse(at(62)), (attemptId) => ({ pid: 7, heartbeatAgeMs: 500, lastLine: `out of ${attemptId}` }));
    expect(model.done).toBe(1);
    expect(model.total).toBe(5);
    expect(model.runElapsedMs).toBe(62_000);
    expect(model.tasks.map((t) => [t.id, t.words, t.forMs, t.fixRound, t.lastLine])).toEqual([
      ['a', 'agent working', 60_000, 0, 'out of a.a1'],
      ['c', 'verifying', 42_000, 2, null],
      ['d', 'blocked: fix_exhausted', null, 0, null],
    ]);
  });
});
