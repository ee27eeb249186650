import { createActor, type AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { RunInput } from '../../machines/run.types.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { bindEffects } from '../../src/engine/bindEffects.js';
import { createScriptedEffects } from '../../src/engine/scriptedEffects.js';
import { describeChart } from '../../src/export/describeChart.js';
import { RUN_SPAWNS, runChart, runMachine, taskChart } from '../../src/machines/index.js';

const input: RunInput = {
  runId: 'r1',
  approvedHash: 'sha256:' + 'a'.repeat(64),
  tasks: [
    { id: 'api', dependsOn: [], scope: ['src/api'] },
    { id: 'ui', dependsOn: [], scope: ['src/ui'] },
  ],
  limits: DEFAULT_LIMITS,
};

/** Start a run on scripted effects, send START, wait for implementing, and list the source name of each child actor. */
async function childSources(machine: ReturnType<typeof bindEffects>): Promise<{ sources: string[]; stage: unknown }> {
  const actor = createActor(machine, { input });
  actor.start();
  for (let i = 0; i < 100 && !actor.getSnapshot().matches({ active: 'implementing' }); i++) {
    if (actor.getSnapshot().matches({ active: 'queued' })) actor.send({ type: 'START' });
    await new Promise((r) => setTimeout(r, 2));
  }
  const snap = actor.getSnapshot();
  // In implementing no state invokes anything, so every child is a spawned one.
  const sources = Object.values(snap.children as Record<string, AnyActorRef & { src?: unknown }>).map((c) => (typeof c.src === 'string' ? c.src : '<inline logic>'));
  actor.stop();
  return { sources, stage: snap.value };
}

describe('RUN_SPAWNS (which actions spawn which actors)', () => {
  it('matches what spawnReadyTasks does: entering implementing spawns one `task` child per ready task', async () => {
    const machine = bindEffects(createScriptedEffects({ worker: () => new Promise(() => undefined) }), { onHook: () => undefined });
    const { sources, stage } = await childSources(machine);
    expect(stage).toEqual({ active: 'implementing' });
    expect(sources).toEqual(['task', 'task']);
    expect(RUN_SPAWNS).toEqual({ spawnReadyTasks: ['task'] });
  });

  it('names the only spawner: with spawnReadyTasks replaced by a no-op, no task child is created', async () => {
    const machine = bindEffects(createScriptedEffects(), { onHook: () => undefined }).provide({ actions: { spawnReadyTasks: () => undefined } });
    const { sources, stage } = await childSources(machine);
    expect(stage).toEqual({ active: 'implementing' });
    expect(sources).toEqual([]);
  });
});

describe('describeChart: implementations and actors', () => {
  it('lists the names setup declares and where each actor is invoked or spawned', () => {
    const chart = describeChart(runChart, { spawns: RUN_SPAWNS });
    expect(chart.implementations.actors).toEqual(Object.keys(runChart.implementations.actors));
    expect(chart.implementations.guards).toEqual(Object.keys(runChart.implementations.guards));
    expect(chart.implementations.actions).toContain('spawnReadyTasks');
    expect(chart.actors.find((a) => a.src === 'task')).toEqual({ src: 'task', invokedIn: [], spawnedBy: ['spawnReadyTasks'] });
    expect(chart.actors.find((a) => a.src === 'checkIntake')).toEqual({ src: 'checkIntake', invokedIn: ['active.intake'], spawnedBy: [] });
    for (const actor of chart.actors) expect(actor.invokedIn.length + actor.spawnedBy.length, actor.src).toBeGreaterThan(0);
  });

  it('refuses a spawns map naming an action or actor setup does not declare', () => {
    expect(() => describeChart(runChart, { spawns: { nope: ['task'] } })).toThrow(/action "nope"/);
    expect(() => describeChart(runChart, { spawns: { spawnReadyTasks: ['ghost'] } })).toThrow(/"ghost"/);
  });

  it("gives a history state's default target", () => {
    const hist = describeChart(taskChart).states.find((s) => s.path === 'working.hist');
    expect(hist?.historyTarget).toEqual(['working.requesting']);
    expect(describeChart(runMachine).states.find((s) => s.path === 'active.hist')?.historyTarget).toEqual(['active.intake']);
  });
});
