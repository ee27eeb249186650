import { and, createMachine, not, type AnyStateMachine, type AnyStateNode, type AnyTransitionDefinition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { runChart } from '../../machines/run.machine.js';
import { taskChart } from '../../machines/task.machine.js';
import { describeChart, listStatePaths, transitionKey, type ChartDescription } from '../../src/export/describeChart.js';

function allNodes(node: AnyStateNode, out: AnyStateNode[] = []): AnyStateNode[] {
  out.push(node);
  for (const child of Object.values(node.states)) allNodes(child, out);
  return out;
}

const pathOf = (node: AnyStateNode): string => node.path.join('.');

/** What xstate itself built from the config, keyed like describeChart's transitions. */
function xstateTransitions(machine: AnyStateMachine): Map<string, AnyTransitionDefinition> {
  const out = new Map<string, AnyTransitionDefinition>();
  for (const node of allNodes(machine.root)) {
    for (const [event, list] of node.transitions) {
      list.forEach((t, index) => out.set(transitionKey({ source: pathOf(node), event, index }), t));
    }
    (node.always ?? []).forEach((t, index) => out.set(transitionKey({ source: pathOf(node), event: 'always', index }), t));
  }
  return out;
}

function guardName(guard: unknown): string | null {
  if (guard === undefined) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  return null;
}

/** The description has exactly xstate's transitions, with the same targets and named guards. */
function expectMatchesXstate(machine: AnyStateMachine, chart: ChartDescription): void {
  const expected = xstateTransitions(machine);
  const count = allNodes(machine.root).reduce(
    (n, node) => n + [...node.transitions.values()].reduce((m, list) => m + list.length, 0) + (node.always?.length ?? 0),
    0,
  );
  expect(expected.size).toBe(count);
  expect(chart.transitions.length).toBe(count);
  expect(new Set(chart.transitions.map(transitionKey)).size).toBe(count);
  for (const t of chart.transitions) {
    const x = expected.get(transitionKey(t));
    expect(x, transitionKey(t)).toBeDefined();
    if (x === undefined) continue;
    expect(t.targets, transitionKey(t)).toEqual(x.target === undefined ? null : x.target.map(pathOf));
    const name = guardName(x.guard);
    if (name !== null) expect(t.guard?.name, transitionKey(t)).toBe(name);
    else if (x.guard === undefined) expect(t.guard, transitionKey(t)).toBeNull();
  }
}

function expectStatesMatchXstate(machine: AnyStateMachine, chart: ChartDescription): void {
  const nodes = allNodes(machine.root).filter((n) => n !== machine.root);
  expect(listStatePaths(machine)).toEqual(nodes.map(pathOf));
  for (const node of nodes) {
    const s = chart.states.find((d) => d.path === pathOf(node));
    expect(s, pathOf(node)).toBeDefined();
    expect(s?.id).toBe(node.id);
    expect(s?.type).toBe(node.type);
    expect(s?.description ?? undefined).toBe(node.description);
    if (node.type === 'history') expect(s?.history).toBe(node.history === 'deep' ? 'deep' : 'shallow');
    if (node.type === 'compound') expect(s?.initial).toBe(node.initial.target.map(pathOf).join());
  }
}

const find = (chart: ChartDescription, source: string, event: string, index = 0) =>
  chart.transitions.find((t) => t.source === source && t.event === event && t.index === index);

describe.each([
  ['run', runChart],
  ['task', taskChart],
] as const)('describeChart(%s chart)', (_name, machine) => {
  const chart = describeChart(machine);

  it('lists every state node the machine has', () => {
    expectStatesMatchXstate(machine, chart);
  });

  it("lists exactly xstate's transitions (count, targets, guards), including always edges", () => {
    expectMatchesXstate(machine, chart);
  });

  it('is JSON-serializable and deterministic', () => {
    const json = JSON.stringify(chart);
    expect(JSON.parse(json)).toEqual(chart);
    expect(JSON.stringify(describeChart(machine))).toBe(json);
  });

  it('lists each invoke with its onDone / onError transitions', () => {
    for (const s of chart.states) {
      for (const inv of s.invoke) {
        expect(inv.onDone.length).toBeGreaterThan(0);
        expect(inv.onError.length).toBeGreaterThan(0);
        for (const t of inv.onDone) {
          expect(t.event).toBe(`xstate.done.actor.${inv.id}`);
          expect(chart.transitions).toContain(t);
        }
        for (const t of inv.onError) {
          expect(t.event).toBe(`xstate.error.actor.${inv.id}`);
          expect(chart.transitions).toContain(t);
        }
      }
    }
  });

  it('gives a known-shaped blockerCode exactly when a block action has a code', () => {
    for (const t of chart.transitions) {
      const block = t.actions.find((a) => a.name === 'block');
      expect(t.blockerCode).toBe(block === undefined ? null : block.params?.['code']);
    }
  });
});

describe('describeChart on the run chart', () => {
  const chart = describeChart(runChart);

  it('has the states with their types', () => {
    expect(chart.id).toBe('run');
    expect(chart.root.initial).toBe('active');
    const active = chart.states.find((s) => s.path === 'active');
    expect(active).toMatchObject({ type: 'compound', initial: 'active.intake', parent: '' });
    expect(chart.states.find((s) => s.path === 'active.hist')).toMatchObject({ type: 'history', history: 'deep' });
    expect(chart.states.filter((s) => s.type === 'final').map((s) => s.path)).toEqual(['readyForReview', 'cancelled', 'failed']);
    expect(chart.states.find((s) => s.path === 'active.implementing')?.entry.map((a) => a.name)).toEqual(['releaseTasks', 'spawnReadyTasks']);
  });

  it('keeps always edges and guard names', () => {
    expect(find(chart, 'active.fixing', 'always', 0)).toMatchObject({
      guard: { name: 'fixRoundsRemain' },
      targets: ['active.implementing'],
      actions: [{ name: 'startFixRound', params: null }],
    });
    expect(find(chart, 'active.fixing', 'always', 1)).toMatchObject({ guard: null, targets: ['blocked'], blockerCode: 'fix_exhausted' });
    expect(find(chart, 'active.implementing', 'always')).toMatchObject({ guard: { name: 'allTasksPassed' }, targets: ['active.verifying'] });
  });

  it('resolves #run.blocked, sibling and child targets', () => {
    expect(find(chart, 'active.intake', 'xstate.done.actor.checkIntake', 0)).toMatchObject({
      guard: { name: 'packetInsufficient' },
      targets: ['blocked'],
      blockerCode: 'plan_insufficient',
      actions: [{ name: 'block', params: { code: 'plan_insufficient' }, label: 'block(code=plan_insufficient)' }],
    });
    expect(find(chart, 'active.intake', 'xstate.done.actor.checkIntake', 2)?.targets).toEqual(['active.queued']);
    expect(find(chart, 'paused', 'RESUME')?.targets).toEqual(['active.hist']);
    expect(find(chart, 'blocked', 'UNBLOCK', 3)).toMatchObject({ guard: { name: 'mayRetry' }, targets: ['reclaiming'] });
    expect(find(chart, 'reclaiming', 'xstate.done.actor.reacquireScope', 2)).toMatchObject({ guard: { name: 'retryingFix' }, targets: ['active.fixing'] });
  });

  it('lists ancestor transitions with the ancestor as source, and targetless ones with null targets', () => {
    expect(find(chart, 'active', 'LEASE_LOST')).toMatchObject({ targets: ['blocked'], blockerCode: 'lease_lost' });
    expect(find(chart, 'active.implementing', 'DISPATCH_REQUEST', 0)).toMatchObject({ targets: null, actions: [{ name: 'grantDispatch' }] });
  });

  it('lists onDone / onError with their invoke id', () => {
    const intake = chart.states.find((s) => s.path === 'active.intake');
    expect(intake?.invoke.map((i) => [i.id, i.src, i.onDone.length, i.onError.length])).toEqual([['checkIntake', 'checkIntake', 3, 1]]);
    expect(find(chart, 'active.intake', 'xstate.error.actor.checkIntake')).toMatchObject({ targets: ['blocked'], blockerCode: 'internal_error' });
  });
});

describe('describeChart on the task chart', () => {
  const chart = describeChart(taskChart);

  it('keeps always edges, parameterized guards and block params', () => {
    expect(chart.transitions.filter((t) => t.source === 'working.fixing' && t.event === 'always').map((t) => t.guard?.name ?? null)).toEqual([
      'fixRoundsRemain',
      'lastFailureWasConflict',
      null,
    ]);
    expect(find(chart, 'blocked', 'RETRY', 0)).toMatchObject({
      guard: { name: 'resumeAt', params: { stage: 'attempt' }, label: 'resumeAt(stage=attempt)' },
      targets: ['working.requesting'],
    });
    expect(find(chart, 'working', 'COMPLETION_OBSERVED', 0)?.actions.map((a) => a.label)).toEqual([
      'recordLateCompletion',
      'block(code=completion_conflict, resume=attempt)',
    ]);
  });

  it('resolves #task.blocked and working.hist', () => {
    expect(find(chart, 'working.dispatching', 'xstate.done.actor.dispatchWorker', 0)?.targets).toEqual(['blocked']);
    // RELEASE: a conflict observed while held blocks (first candidate); otherwise back where the task was.
    expect(find(chart, 'held', 'RELEASE', 0)?.targets).toEqual(['blocked']);
    expect(find(chart, 'held', 'RELEASE', 1)?.targets).toEqual(['working.hist']);
  });
});

describe('describeChart on other config shapes', () => {
  const machine = createMachine({
    id: 'm',
    initial: 'a',
    on: { RESET: '.a' },
    states: {
      a: {
        id: 'custom',
        initial: 'x',
        states: { x: { on: { NEXT: 'y' } }, y: { type: 'final' }, h: { history: true } },
        onDone: 'b',
        after: { 1000: { target: 'b', guard: and(['g1', not('g2')]) } },
        on: { DEEP: '.y', BY_ID: '#custom.x', INLINE: { actions: () => {} } },
        always: [{ guard: ({ context }) => context === undefined, target: 'b' }],
      },
      b: {
        type: 'parallel',
        states: { p: { initial: 'p1', states: { p1: {} } }, q: { initial: 'q1', states: { q1: {} } } },
        invoke: { src: 'svc', onDone: { target: 'a', reenter: true }, onError: [{ guard: { type: 'g', params: { n: 1 } }, target: '#m.a.h' }] },
      },
    },
  });
  const chart = describeChart(machine);

  it('matches xstate', () => {
    expectStatesMatchXstate(machine, chart);
    expectMatchesXstate(machine, chart);
  });

  it('describes root transitions, delays, state onDone, generated invoke ids and guard trees', () => {
    expect(find(chart, '', 'RESET')?.targets).toEqual(['a']);
    expect(find(chart, 'a', 'xstate.after.1000.custom')?.guard).toMatchObject({ name: 'and', label: 'and(g1, not(g2))' });
    expect(find(chart, 'a', 'xstate.done.state.custom')?.targets).toEqual(['b']);
    expect(find(chart, 'a', 'always')?.guard?.name).toBe('inline');
    expect(find(chart, 'a', 'INLINE')).toMatchObject({ targets: null, actions: [{ name: 'inline' }] });
    expect(find(chart, 'a', 'BY_ID')?.targets).toEqual(['a.x']);
    expect(chart.states.find((s) => s.path === 'a.h')).toMatchObject({ type: 'history', history: 'shallow' });
    expect(chart.states.find((s) => s.path === 'b')?.invoke).toMatchObject([{ id: '0.m.b', src: 'svc' }]);
    expect(find(chart, 'b', 'xstate.done.actor.0.m.b')).toMatchObject({ targets: ['a'], reenter: true });
    expect(find(chart, 'b', 'xstate.error.actor.0.m.b')?.guard?.label).toBe('g(n=1)');
  });
});
