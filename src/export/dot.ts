// Pure: a chart description as a Graphviz digraph. Node ids are full state
// paths; a compound or parallel state is a cluster `cluster_<path>` holding an
// invisible anchor node named by its path, and edges to or from it are clipped
// to the cluster (`lhead` / `ltail`, `compound=true`). Each initial state is
// pointed at by a `[*]` node (`"[*] <parent path>"`). Edge labels are the shared
// label (event [guard] / actions); a targetless transition is a dashed loop.
import type { ChartDescription, StateDescription } from './describeChart.js';
import { labelContext, stateNotes, statesByPath, transitionLabel } from './label.js';

/** Node of the root when the root itself has transitions. */
export const DOT_ROOT_ID = '(root)';

/** A double-quoted DOT string. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** The `[*]` node that points at a compound state's initial child. */
export const initialNodeId = (parentPath: string): string => (parentPath === '' ? '[*]' : `[*] ${parentPath}`);

const isContainer = (s: StateDescription | undefined): boolean => s !== undefined && (s.type === 'compound' || s.type === 'parallel');

const within = (path: string, ancestor: string): boolean => path === ancestor || path.startsWith(`${ancestor}.`);

type Attr = readonly [string, string];
const attrList = (list: readonly Attr[]): string => `[${list.map(([k, v]) => `${k}=${v}`).join(', ')}]`;

/**
 * The chart as Graphviz DOT text (`dot -Tsvg run.dot > run.svg`).
 * @example
 * writeFileSync('task.dot', toDot(describeChart(taskChart)));
 */
export function toDot(chart: ChartDescription): string {
  const byPath = statesByPath(chart);
  const ctx = labelContext(chart);
  const nodeOf = (path: string): string => (path === '' ? DOT_ROOT_ID : path);
  const lines = [
    `digraph ${dotString(chart.id)} {`,
    '  compound=true;',
    '  rankdir=LR;',
    `  label=${dotString(`machine ${chart.id}${chart.description === null ? '' : `\n${chart.description}`}`)};`,
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  if (chart.transitions.some((t) => t.source === '')) lines.push(`  ${dotString(DOT_ROOT_ID)} [shape=box, style=dashed, label=${dotString(`${chart.id} (root)`)}];`);

  const emit = (node: StateDescription, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (node.initial !== null) {
      lines.push(`${pad}${dotString(initialNodeId(node.path))} [shape=point, width=0.12, label=""];`);
      const target = byPath.get(node.initial);
      const clip: Attr[] = isContainer(target) ? [['lhead', dotString(`cluster_${node.initial}`)]] : [];
      lines.push(`${pad}${dotString(initialNodeId(node.path))} -> ${dotString(node.initial)}${clip.length > 0 ? ` ${attrList(clip)}` : ''};`);
    }
    for (const childPath of node.children) {
      const child = byPath.get(childPath);
      if (child === undefined) continue;
      const text = [child.key, ...stateNotes(child, ctx)].join('\n');
      const tooltip: Attr[] = child.description === null ? [] : [['tooltip', dotString(child.description)]];
      if (isContainer(child)) {
        lines.push(`${pad}subgraph ${dotString(`cluster_${child.path}`)} {`);
        lines.push(`${pad}  label=${dotString(child.type === 'parallel' ? `${text}\n(parallel)` : text)};`);
        lines.push(`${pad}  style=rounded;`);
        lines.push(`${pad}  ${dotString(child.path)} ${attrList([['shape', 'point'], ['style', 'invis'], ['width', '0'], ['label', '""'], ...tooltip])};`);
        emit(child, depth + 1);
        lines.push(`${pad}}`);
      } else if (child.type === 'history') {
        lines.push(`${pad}${dotString(child.path)} ${attrList([['shape', 'circle'], ['label', dotString(`${child.history === 'deep' ? 'H*' : 'H'}\n${child.key}`)], ...tooltip])};`);
        for (const target of child.historyTarget ?? []) lines.push(`${pad}${dotString(child.path)} -> ${dotString(target)} [style=dotted, label="(history default)"];`);
      } else {
        const final: Attr[] = child.type === 'final' ? [['peripheries', '2']] : [];
        lines.push(`${pad}${dotString(child.path)} ${attrList([['label', dotString(text)], ...final, ...tooltip])};`);
      }
    }
  };
  emit(chart.root, 1);

  for (const t of chart.transitions) {
    const label = transitionLabel(t, ctx);
    const source = byPath.get(t.source);
    for (const target of t.targets ?? [t.source]) {
      const list: Attr[] = [['label', dotString(label)]];
      // Clip at a cluster's border only when the other end is outside that cluster.
      if (isContainer(source) && !within(target, t.source)) list.push(['ltail', dotString(`cluster_${t.source}`)]);
      if (isContainer(byPath.get(target)) && !within(t.source, target)) list.push(['lhead', dotString(`cluster_${target}`)]);
      if (t.targets === null) list.push(['style', 'dashed']);
      lines.push(`  ${dotString(nodeOf(t.source))} -> ${dotString(nodeOf(target))} ${attrList(list)};`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
