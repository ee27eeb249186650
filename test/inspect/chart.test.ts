// The drawn charts are exact: every state and every transition of both
// machines is in the graph, the ELK layout nests children inside their
// parents, and the SVG has one highlightable element per state and edge.
import { describe, expect, it } from 'vitest';
import { describeChart } from '../../src/export/describeChart.js';
import { runMachine, taskMachine } from '../../src/machines/index.js';
import { chartGraph, shortEvent } from '../../src/inspect/chartGraph.js';
import { type LaidOutChart, layoutChart } from '../../src/inspect/layout.js';
import { chartSvg } from '../../src/inspect/svg.js';

const machines = [
  ['run', runMachine],
  ['task', taskMachine],
] as const;

const inside = (inner: { x: number; y: number; width: number; height: number }, outer: typeof inner): boolean =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

describe.each(machines)('the %s chart as drawn', (prefix, machine) => {
  const description = describeChart(machine);
  const graph = chartGraph(description, prefix);
  let laidOut: LaidOutChart;

  it('has a node for every state of the machine', () => {
    expect(graph.nodes.map((n) => n.path)).toEqual(description.states.map((s) => s.path));
  });

  it('draws every transition with a target as an edge from its source to its target, labelled with its event', () => {
    const withTargets = description.transitions.filter((t) => t.targets !== null && t.source !== '');
    expect(withTargets.length).toBeGreaterThan(0);
    for (const t of withTargets) {
      for (const target of t.targets ?? []) {
        const edge = graph.edges.find((e) => e.source === t.source && e.target === target);
        expect(edge, `${t.source} -${t.event}-> ${target}`).toBeDefined();
        expect(edge?.events).toContain(shortEvent(t.event));
        expect(edge?.details.some((d) => d.startsWith(t.event))).toBe(true);
      }
    }
    expect(graph.transitions).toHaveLength(description.transitions.reduce((n, t) => n + Math.max(1, t.targets?.length ?? 0), 0));
  });

  it('lays out nested boxes: every state has a size and lies inside its parent', async () => {
    laidOut = await layoutChart(graph);
    const byPath = new Map(laidOut.nodes.map((n) => [n.path, n]));
    expect([...byPath.keys()].sort()).toEqual(graph.nodes.map((n) => n.path).sort());
    for (const node of graph.nodes) {
      const box = byPath.get(node.path);
      expect(box?.width).toBeGreaterThan(0);
      expect(box?.height).toBeGreaterThan(0);
      if (node.parent !== null) {
        const parent = byPath.get(node.parent);
        expect(box !== undefined && parent !== undefined && inside(box, parent), `${node.path} inside ${node.parent}`).toBe(true);
      }
    }
    for (const edge of laidOut.edges) {
      expect(edge.sections.length, edge.id).toBeGreaterThan(0);
      for (const section of edge.sections) expect(section.length).toBeGreaterThanOrEqual(2);
      expect(edge.label?.lines).toEqual(graph.edges.find((e) => e.id === edge.id)?.events);
    }
    expect(laidOut.edges.map((e) => e.id)).toEqual(graph.edges.map((e) => e.id));
  });

  it('draws one state element per state and one edge element per edge, with an arrow marker of its own', () => {
    const svg = chartSvg(laidOut, { id: `${prefix}-chart`, title: `${prefix} chart` });
    const statePaths = [...svg.matchAll(/<g class="state[^"]*" data-path="([^"]*)"/g)].map((m) => m[1]);
    expect(statePaths).toEqual(laidOut.nodes.map((n) => n.path));
    const edgeIds = [...svg.matchAll(/<g class="edge" data-edge="([^"]*)"/g)].map((m) => m[1]);
    expect(edgeIds).toEqual(graph.edges.map((e) => e.id));
    expect(svg).toContain(`<marker id="${prefix}-chart-arrow"`);
  });
});

describe('chart layout', () => {
  it('is deterministic: the same chart gives the same coordinates', async () => {
    const graph = chartGraph(describeChart(taskMachine), 'task');
    expect(await layoutChart(graph)).toEqual(await layoutChart(graph));
  });
});
