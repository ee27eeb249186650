import type { AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { runChart } from '../../machines/run.machine.js';
import { taskChart } from '../../machines/task.machine.js';
import { EXPORT_FORMATS, exportMachine, type ExportFormat, type MachineName } from '../../src/export/index.js';
import { definitionOf, transitionKey, type ParsedChart } from './definition.js';
import { parseDotExport, parseJsonExport, parseMermaidExport, parseScxmlExport } from './parsers.js';

const PARSE: Record<ExportFormat, (text: string) => ParsedChart> = {
  json: parseJsonExport,
  scxml: parseScxmlExport,
  mermaid: parseMermaidExport,
  dot: parseDotExport,
};

const MACHINES: readonly (readonly [MachineName, AnyStateMachine])[] = [
  ['run', runChart],
  ['task', taskChart],
];

const sorted = (items: Iterable<string>): string[] => [...items].sort();
const entries = <V>(map: ReadonlyMap<string, V>): string[] => sorted([...map].map(([k, v]) => `${k} = ${JSON.stringify(v)}`));

/** Every state, initial state, transition, entry action and invoke of the definition, and nothing else. */
function expectSameChart(parsed: ParsedChart, definition: ParsedChart): void {
  expect(entries(parsed.states)).toEqual(entries(definition.states));
  expect(entries(parsed.initial)).toEqual(entries(definition.initial));
  expect(sorted(parsed.transitions.map(transitionKey))).toEqual(sorted(definition.transitions.map(transitionKey)));
  expect(entries(parsed.entry)).toEqual(entries(definition.entry));
  expect(entries(parsed.invokes)).toEqual(entries(definition.invokes));
}

describe.each(MACHINES)('the %s chart', (name, machine) => {
  const definition = definitionOf(machine);

  it('has eventless, targetless, guarded and invoke transitions, history and final states to check', () => {
    const events = definition.transitions.map((t) => t.event);
    expect(events).toContain('always');
    expect(events.some((e) => e.startsWith('xstate.done.actor.'))).toBe(true);
    expect(events.some((e) => e.startsWith('xstate.error.actor.'))).toBe(true);
    expect(definition.transitions.some((t) => t.targets === null)).toBe(true);
    expect(definition.transitions.some((t) => t.guard !== null)).toBe(true);
    expect([...definition.states.values()]).toEqual(expect.arrayContaining(['history', 'final', 'container', 'atomic']));
  });

  it.each(EXPORT_FORMATS)('exports as %s with every state and transition of the definition, and nothing extra', (format) => {
    const text = exportMachine(name, format);
    expectSameChart(PARSE[format](text), definition);
  });

  it.each(EXPORT_FORMATS)('exports as %s deterministically', (format) => {
    expect(exportMachine(name, format)).toBe(exportMachine(name, format));
  });
});

describe('what the exports show beyond states and transitions', () => {
  it('names the spawned task actor on the action that spawns it, in every format', () => {
    const json = JSON.parse(exportMachine('run', 'json')) as { actors: { src: string; spawnedBy: string[] }[] };
    expect(json.actors.find((a) => a.src === 'task')?.spawnedBy).toEqual(['spawnReadyTasks']);
    expect(parseScxmlExport(exportMachine('run', 'scxml')).spawns.get('spawnReadyTasks')).toBe('task');
    expect(exportMachine('run', 'mermaid')).toContain('active__implementing : entry / releaseTasks, spawnReadyTasks (spawns task)');
    expect(exportMachine('run', 'dot')).toContain('entry / releaseTasks, spawnReadyTasks (spawns task)');
  });

  it('marks priority among candidates, so mermaid and dot keep the order xstate tries them in', () => {
    const mermaid = exportMachine('task', 'mermaid');
    expect(mermaid).toContain('working__fixing --> working__requesting : always [fixRoundsRemain] / startFixRound (1/3)');
    expect(mermaid).toContain('working__fixing --> blocked : always / block(code=fix_exhausted, resume=fix) (3/3)');
  });

  it('writes SCXML in the SCXML namespace with guards as cond, no datamodel, and history defaults', () => {
    const scxml = exportMachine('run', 'scxml');
    expect(scxml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<scxml xmlns="http:\/\/www\.w3\.org\/2005\/07\/scxml" xmlns:buran="urn:buran:statechart" version="1\.0" name="run" initial="active"/);
    expect(scxml).not.toContain('datamodel');
    expect(scxml).toContain('<history id="active.hist" type="deep">\n      <transition target="active.intake"/>');
    expect(scxml).toContain('<transition event="RUN_DEADLINE" cond="deadlinePassed" target="blocked">');
  });
});

describe('the round-trip check itself', () => {
  const definition = definitionOf(taskChart);

  it('fails when an export drops a transition (as machine.toJSON() drops always edges)', () => {
    const text = exportMachine('task', 'mermaid')
      .split('\n')
      .filter((l) => !l.includes(': always'))
      .join('\n');
    expect(() => expectSameChart(parseMermaidExport(text), definition)).toThrow();
  });

  it('fails when an export loses a guard or changes a target', () => {
    const noGuard = exportMachine('task', 'scxml').replace(' cond="merged"', '');
    expect(() => expectSameChart(parseScxmlExport(noGuard), definition)).toThrow();
    const moved = exportMachine('task', 'dot').replace('"working.merging" -> "working.passed"', '"working.merging" -> "held"');
    expect(() => expectSameChart(parseDotExport(moved), definition)).toThrow();
  });

  it('fails when an export adds a state, and when a state is drawn outside its parent', () => {
    const doc = JSON.parse(exportMachine('task', 'json')) as { states: unknown[] };
    const extra = JSON.stringify({ ...doc, states: [...doc.states, { path: 'ghost', type: 'atomic', entry: [], invoke: [], initial: null }] });
    expect(() => expectSameChart(parseJsonExport(extra), definition)).toThrow();
    const misplaced = exportMachine('task', 'mermaid').replace('    state "passed" as working__passed\n', '').replace('  state "held" as held\n', '  state "held" as held\n  state "passed" as working__passed\n');
    expect(() => parseMermaidExport(misplaced)).toThrow(/drawn inside/);
  });

  it('rejects malformed SCXML', () => {
    const broken = exportMachine('task', 'scxml').replace('</scxml>', '');
    expect(() => parseScxmlExport(broken)).toThrow(/not closed/);
  });
});
