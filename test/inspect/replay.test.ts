// The replay behind the inspector's timeline: the state after each event.
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/domain/events.js';
import { inspectorCharts } from '../../src/inspect/charts.js';
import { NOT_STARTED, replayEvents } from '../../src/inspect/replay.js';

const RUN = 'r1';
let seq = 0;
function ev(type: string, from: string | null, to: string | null, extra: Partial<EventRecord> & { event?: string; blocker?: unknown } = {}): EventRecord {
  seq += 1;
  const { event, blocker, ...rest } = extra;
  const data: Record<string, unknown> = {};
  if (event !== undefined) data['event'] = event;
  if (blocker !== undefined) data['blocker'] = blocker;
  return { seq, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), runId: RUN, type, from, to, data, ...rest };
}

const blocker = {
  code: 'worker_blocked',
  message: 'the worker asked <which> greeting',
  details: { taskId: 'alpha' },
  nextSafeAction: { text: 'Read the report, then retry.', command: `buran report --run ${RUN}` },
};

function events(): EventRecord[] {
  seq = 0;
  return [
    ev('transition', 'active.intake', 'active.queued', { event: 'xstate.done.actor.checkIntake', epoch: 1 }),
    ev('transition', 'active.queued', 'active.prerequisites', { event: 'START', epoch: 1 }),
    ev('transition', 'active.prerequisites', 'active.preflight', { event: 'xstate.done.actor.checkPrerequisites', epoch: 1 }),
    ev('transition', 'active.preflight', 'active.leasing', { event: 'xstate.done.actor.checkAdapters', epoch: 1 }),
    ev('transition', 'active.leasing', 'active.implementing', { event: 'xstate.done.actor.acquireLease', epoch: 1 }),
    ev('task_transition', '', 'working.dispatching', { event: 'DISPATCH_GRANTED', taskId: 'alpha', attemptId: 'alpha.a1', epoch: 1 }),
    ev('task_transition', 'working.dispatching', 'working.awaiting', { event: 'xstate.done.actor.dispatchWorker', taskId: 'alpha', attemptId: 'alpha.a1', epoch: 1 }),
    ev('operator', null, null, { event: 'note' }),
    ev('task_transition', 'working.awaiting', 'blocked', { event: 'xstate.done.actor.awaitCompletion', taskId: 'alpha', attemptId: 'alpha.a1', epoch: 1 }),
    ev('transition', 'active.implementing', 'blocked', { event: 'TASK_BLOCKED', epoch: 1, blocker }),
    ev('transition', 'blocked', 'blocked', { event: 'TASK_USAGE', epoch: 1 }),
    ev('transition', 'blocked', 'reclaiming', { event: 'UNBLOCK', epoch: 1 }),
    ev('transition', 'reclaiming', 'active.implementing', { event: 'xstate.done.actor.reacquireScope', epoch: 1 }),
  ];
}

function replay(log: readonly EventRecord[]) {
  const charts = inspectorCharts();
  return replayEvents({ runId: RUN, events: log, taskIds: ['alpha', 'beta'], initialRunState: 'active.intake', runChart: charts.run, taskChart: charts.task });
}

const edge = (chart: 'run' | 'task', source: string, target: string): string | undefined =>
  inspectorCharts()[chart].edges.find((e) => e.source === source && e.target === target)?.id;

describe('replaying the event log', () => {
  it('gives exactly one frame per event, each carrying the seq of its event', () => {
    const log = events();
    const frames = replay(log);
    expect(frames.map((f) => f.seq)).toEqual(log.map((e) => e.seq));
  });

  it("puts the run in each run transition's target state and keeps it through task and other events", () => {
    const log = events();
    const frames = replay(log);
    let expected = 'active.intake';
    log.forEach((e, i) => {
      if (e.type === 'transition' && e.to !== null) expected = e.to;
      expect(frames[i]?.run, `after seq ${e.seq}`).toBe(expected);
    });
    expect(frames.map((f) => f.status)).toEqual(['queued', 'queued', 'running', 'running', 'running', 'running', 'running', 'running', 'running', 'blocked', 'blocked', 'running', 'running']);
  });

  it('keeps each task pending until its first transition, then in the target of its latest one, with attempt and epoch', () => {
    const frames = replay(events());
    expect(frames[4]?.tasks).toEqual([
      { state: NOT_STARTED, attemptId: null, epoch: null },
      { state: NOT_STARTED, attemptId: null, epoch: null },
    ]);
    expect(frames[5]?.tasks[0]).toEqual({ state: 'working.dispatching', attemptId: 'alpha.a1', epoch: 1 });
    expect(frames[7]?.tasks[0]?.state).toBe('working.awaiting');
    expect(frames[8]?.tasks[0]?.state).toBe('blocked');
    expect(frames.every((f) => f.tasks[1]?.state === NOT_STARTED)).toBe(true);
    expect(frames.map((f) => f.task)).toEqual([null, null, null, null, null, 0, 0, null, 0, null, null, null, null]);
  });

  it('shows the blocker from the event that blocked the run while it stays blocked, and clears it when the run leaves', () => {
    const frames = replay(events());
    expect(frames.slice(0, 9).every((f) => f.blocker === null)).toBe(true);
    expect(frames[9]?.blocker).toEqual(blocker);
    expect(frames[10]?.blocker).toEqual(blocker);
    expect(frames[9]?.nextSafeAction).toEqual(blocker.nextSafeAction);
    expect(frames[11]?.blocker).toBeNull();
    expect(frames[11]?.nextSafeAction.command).toBe(`buran run --run ${RUN}`);
    expect(frames[12]?.blocker).toBeNull();
  });

  it('names the chart edge each transition took, including eventless steps recorded under their macrostep event, and none for targetless ones', () => {
    const frames = replay(events());
    expect(frames[0]?.runEdge).toBe(edge('run', 'active.intake', 'active.queued'));
    expect(frames[1]?.runEdge).toBe(edge('run', 'active.queued', 'active.prerequisites'));
    expect(frames[6]?.taskEdge).toBe(edge('task', 'working.dispatching', 'working.awaiting'));
    expect(frames[9]?.runEdge).toBe(edge('run', 'active.implementing', 'blocked'));
    expect(frames[10]?.runEdge).toBeNull();
    expect(frames[11]?.runEdge).toBe(edge('run', 'blocked', 'reclaiming'));
    // Re-taking the scope goes to the history state of `active`, which stands for active.implementing here.
    expect(frames[12]?.runEdge).toBe(edge('run', 'reclaiming', 'active.hist'));
    // A freshly spawned task has no `from`: no edge is claimed.
    expect(frames[5]?.taskEdge).toBeNull();
    seq = 20;
    const always = replay([ev('transition', 'active.implementing', 'active.verifying', { event: 'TASK_PASSED' })]);
    expect(edge('run', 'active.implementing', 'active.verifying')).toBeTypeOf('string');
    expect(always[0]?.runEdge).toBe(edge('run', 'active.implementing', 'active.verifying'));
  });

  it('starts from the given state when the log has no run transition, and gives no frame for an empty log', () => {
    expect(replay([])).toEqual([]);
    seq = 0;
    const frames = replay([ev('operator', null, null)]);
    expect(frames[0]?.run).toBe('active.intake');
  });
});
