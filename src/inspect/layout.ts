// Lay a chart out with ELK's layered algorithm, in Node, at generation time:
// nested boxes for compound states, orthogonal edges with their labels. The
// page then needs no layout library (see docs/decisions.md).
import elkjs, { type ElkExtendedEdge, type ElkLabel, type ElkNode, type ElkPoint } from 'elkjs/lib/elk.bundled.js';
import type { StateType } from '../export/describeChart.js';
import type { ChartGraph, ChartNode } from './chartGraph.js';

// elkjs is CommonJS: its module object carries the constructor as `default` (and is the constructor itself).
const ELK = elkjs.default;

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidOutNode extends Box {
  readonly path: string;
  readonly key: string;
  readonly type: StateType;
  readonly history: 'deep' | 'shallow' | null;
  readonly initial: boolean;
  /** 0 for top-level states. */
  readonly depth: number;
}

export interface LaidOutEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Polylines (absolute), one per ELK edge section. */
  readonly sections: readonly (readonly Point[])[];
  readonly label: (Box & { readonly lines: readonly string[] }) | null;
  readonly details: readonly string[];
}

export interface LaidOutChart {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Parents before children, so drawing in order puts children on top. */
  readonly nodes: readonly LaidOutNode[];
  readonly edges: readonly LaidOutEdge[];
}

/** Text metrics of the monospace fonts the page uses (width per character, in px). */
export const STATE_FONT = { size: 12, charWidth: 7.25 } as const;
export const LABEL_FONT = { size: 10, charWidth: 6.05, lineHeight: 12 } as const;
const NODE_HEIGHT = 28;
const HISTORY_SIZE = 26;
const COMPOUND_TOP = 30;

function leafSize(node: ChartNode): { width: number; height: number } {
  if (node.type === 'history') return { width: HISTORY_SIZE, height: HISTORY_SIZE };
  return { width: Math.max(72, Math.ceil(node.key.length * STATE_FONT.charWidth) + 24), height: NODE_HEIGHT };
}

/** Edge label lines: one event per line (narrow labels keep the layers close). */
export function labelLines(events: readonly string[]): string[] {
  return [...events];
}

function elkGraph(graph: ChartGraph): ElkNode {
  const byPath = new Map(graph.nodes.map((n) => [n.path, n]));
  const toElk = (node: ChartNode): ElkNode => {
    if (node.children.length === 0) return { id: node.path, ...leafSize(node) };
    return {
      id: node.path,
      layoutOptions: { 'elk.padding': `[top=${COMPOUND_TOP},left=14,bottom=14,right=14]` },
      children: node.children.flatMap((c) => {
        const child = byPath.get(c);
        return child === undefined ? [] : [toElk(child)];
      }),
    };
  };
  const edges: ElkExtendedEdge[] = graph.edges.map((e) => {
    const lines = labelLines(e.events);
    const label: ElkLabel = {
      id: `${e.id}-label`,
      text: lines.join('\n'),
      width: Math.ceil(Math.max(...lines.map((l) => l.length)) * LABEL_FONT.charWidth) + 6,
      height: lines.length * LABEL_FONT.lineHeight + 2,
    };
    return { id: e.id, sources: [e.source], targets: [e.target], labels: [label] };
  });
  return {
    id: '',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '30',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeNode': '14',
      'elk.spacing.edgeEdge': '10',
      'elk.spacing.edgeLabel': '3',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: graph.nodes.filter((n) => n.parent === null).map(toElk),
    edges,
  };
}

/** Lay out a chart. Deterministic: the same graph gives the same coordinates. */
export async function layoutChart(graph: ChartGraph): Promise<LaidOutChart> {
  const elk = new ELK();
  const result = await elk.layout(elkGraph(graph));
  const byPath = new Map(graph.nodes.map((n) => [n.path, n]));
  const origin = new Map<string, Point>([['', { x: 0, y: 0 }]]);
  const nodes: LaidOutNode[] = [];
  const visit = (elkNode: ElkNode, parentOrigin: Point, depth: number): void => {
    const node = byPath.get(elkNode.id);
    if (node === undefined) throw new Error(`layoutChart(${graph.id}): ELK returned an unknown node ${elkNode.id}`);
    const x = parentOrigin.x + (elkNode.x ?? 0);
    const y = parentOrigin.y + (elkNode.y ?? 0);
    origin.set(node.path, { x, y });
    nodes.push({ path: node.path, key: node.key, type: node.type, history: node.history, initial: node.initial, depth, x, y, width: elkNode.width ?? 0, height: elkNode.height ?? 0 });
    for (const child of elkNode.children ?? []) visit(child, { x, y }, depth + 1);
  };
  for (const child of result.children ?? []) visit(child, { x: 0, y: 0 }, 0);

  const details = new Map(graph.edges.map((e) => [e.id, e]));
  const edges: LaidOutEdge[] = (result.edges ?? []).map((raw) => {
    const edge = details.get(raw.id);
    if (edge === undefined) throw new Error(`layoutChart(${graph.id}): ELK returned an unknown edge ${raw.id}`);
    // Edge coordinates are relative to the edge's container node (ELK sets `container`).
    const base = origin.get(raw.container ?? '') ?? { x: 0, y: 0 };
    const at = (p: ElkPoint): Point => ({ x: base.x + p.x, y: base.y + p.y });
    const sections = (raw.sections ?? []).map((s) => [at(s.startPoint), ...(s.bendPoints ?? []).map(at), at(s.endPoint)]);
    const rawLabel = raw.labels?.[0];
    const label =
      rawLabel === undefined
        ? null
        : { x: base.x + (rawLabel.x ?? 0), y: base.y + (rawLabel.y ?? 0), width: rawLabel.width ?? 0, height: rawLabel.height ?? 0, lines: labelLines(edge.events) };
    return { id: edge.id, source: edge.source, target: edge.target, sections, label, details: edge.details };
  });
  return { id: graph.id, width: result.width ?? 0, height: result.height ?? 0, nodes, edges };
}
