// Pure: a chart description as a mermaid `stateDiagram-v2`. Every state is
// declared with its key as the label; ids encode the full path reversibly
// (`.` → `__`, other characters → `_xHH`). Transitions carry the shared label
// (event [guard] / actions); a targetless transition is drawn as a loop on its
// source marked `(targetless)`. Each edge is declared in the deepest state that
// contains both ends, which keeps mermaid from redrawing a state elsewhere.
import type { ChartDescription, StateDescription } from './describeChart.js';
import { edgeContainer, labelContext, stateNotes, statesByPath, transitionLabel } from './label.js';

/** Stands for the root when the root itself has transitions (mermaid has no node for it). */
export const MERMAID_ROOT_ID = 'root__';

function encodeSegment(segment: string): string {
  return segment.replace(/[^A-Za-z0-9]/g, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `_x${code.toString(16).padStart(2, '0')}` : `_u${code.toString(16).padStart(6, '0')}`;
  });
}

/** The mermaid id of a state path; `_x` / `_u` escapes never contain `__`, so the path can be read back. */
export function mermaidId(path: string): string {
  return path === '' ? MERMAID_ROOT_ID : path.split('.').map(encodeSegment).join('__');
}

/** Label text: characters mermaid reads as syntax become its `#<code>;` entity codes. */
export function mermaidText(text: string): string {
  return text.replace(/[;#:{}"<>\n\r%]/g, (c) => `#${c.codePointAt(0) ?? 0};`);
}

/**
 * The chart as mermaid text (no fences).
 * @example
 * const text = toMermaid(describeChart(taskChart)); // paste into a ```mermaid block
 */
export function toMermaid(chart: ChartDescription): string {
  const byPath = statesByPath(chart);
  const ctx = labelContext(chart);
  const edges = new Map<string, string[]>();
  const addEdge = (container: string, line: string) => edges.set(container, [...(edges.get(container) ?? []), line]);
  for (const t of chart.transitions) {
    const label = mermaidText(transitionLabel(t, ctx));
    const from = mermaidId(t.source);
    for (const target of t.targets ?? [t.source]) {
      const container = t.source === '' ? '' : edgeContainer(t.source, target, byPath);
      addEdge(container, `${from} --> ${mermaidId(target)} : ${label}`);
    }
  }

  const lines = ['stateDiagram-v2', `  %% machine ${chart.id}: exported by buran from the chart config`];
  if (chart.transitions.some((t) => t.source === '')) lines.push(`  state "${mermaidText(chart.id)} (root)" as ${MERMAID_ROOT_ID}`);
  const finals: string[] = [];
  const history: string[] = [];

  const describe = (pad: string, s: StateDescription): void => {
    const id = mermaidId(s.path);
    if (s.description !== null) lines.push(`${pad}${id} : ${mermaidText(s.description)}`);
    for (const note of stateNotes(s, ctx)) lines.push(`${pad}${id} : ${mermaidText(note)}`);
  };
  const block = (node: StateDescription, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (node.initial !== null) lines.push(`${pad}[*] --> ${mermaidId(node.initial)}`);
    node.children.forEach((childPath, i) => {
      const child = byPath.get(childPath);
      if (child === undefined) return;
      // Regions of a parallel state are separated by `--`.
      if (node.type === 'parallel' && i > 0) lines.push(`${pad}--`);
      const id = mermaidId(child.path);
      if (child.type === 'compound' || child.type === 'parallel') {
        lines.push(`${pad}state ${id} {`);
        block(child, depth + 1);
        lines.push(`${pad}}`);
      } else {
        lines.push(`${pad}state "${mermaidText(child.key)}" as ${id}`);
      }
      describe(pad, child);
      if (child.type === 'final') finals.push(id);
      if (child.type === 'history') history.push(id);
    });
    for (const childPath of node.children) {
      if (byPath.get(childPath)?.type === 'final') lines.push(`${pad}${mermaidId(childPath)} --> [*]`);
    }
    for (const edge of edges.get(node.path) ?? []) lines.push(`${pad}${edge}`);
  };
  block(chart.root, 1);
  if (finals.length > 0) lines.push('  classDef final stroke-width:3px', `  class ${finals.join(',')} final`);
  if (history.length > 0) lines.push('  classDef history stroke-dasharray:4 2', `  class ${history.join(',')} history`);
  return `${lines.join('\n')}\n`;
}
