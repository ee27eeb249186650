// Pure: the drawable graph of a chart, from describeChart's exact description.
// Transitions with the same source and target are merged into one edge whose
// label lists their events; targetless transitions draw no edge.
import type { ChartDescription, StateType, TransitionDescription } from '../export/describeChart.js';

export interface ChartNode {
  /** Dotted state path, e.g. `active.implementing`. */
  readonly path: string;
  readonly key: string;
  readonly type: StateType;
  readonly history: 'deep' | 'shallow' | null;
  /** Parent path; `null` for a top-level state. */
  readonly parent: string | null;
  readonly children: readonly string[];
  /** `true` for the initial child of its parent (or the chart's initial state). */
  readonly initial: boolean;
}

export interface ChartEdge {
  /** `<prefix>-e<n>`, stable for a given chart. */
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Short event names, one per distinct event (e.g. `START`, `checkIntake.done`). */
  readonly events: readonly string[];
  /** One line per transition: full event, guard, actions. */
  readonly details: readonly string[];
}

/** One transition of the chart, with the edge it is drawn as (null: targetless). */
export interface ChartTransition {
  readonly source: string;
  readonly event: string;
  /** Resolved target path; `null` for a targetless transition. */
  readonly target: string | null;
  readonly edgeId: string | null;
}

export interface ChartGraph {
  readonly id: string;
  /** Every state, parents before children (document order). */
  readonly nodes: readonly ChartNode[];
  readonly edges: readonly ChartEdge[];
  readonly transitions: readonly ChartTransition[];
}

/** `xstate.done.actor.checkIntake` → `checkIntake.done`; other events unchanged except the xstate prefix. */
export function shortEvent(event: string): string {
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event);
  if (actor !== null) return `${actor[2]}.${actor[1]}`;
  if (event.startsWith('xstate.done.state.')) return 'done';
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  if (after !== null) return `after ${after[1]}`;
  return event;
}

function detailOf(t: TransitionDescription): string {
  const guard = t.guard === null ? '' : ` [${t.guard.label}]`;
  const actions = t.actions.length === 0 ? '' : ` / ${t.actions.map((a) => a.label).join(', ')}`;
  return `${t.event}${guard}${actions}`;
}

export function chartGraph(chart: ChartDescription, prefix: string): ChartGraph {
  const initialPaths = new Set([chart.root.initial, ...chart.states.map((s) => s.initial)].filter((p): p is string => p !== null));
  const nodes: ChartNode[] = chart.states.map((s) => ({
    path: s.path,
    key: s.key,
    type: s.type,
    history: s.history,
    parent: s.parent === '' ? null : s.parent,
    children: s.children,
    initial: initialPaths.has(s.path),
  }));
  const byPair = new Map<string, { id: string; source: string; target: string; events: string[]; details: string[] }>();
  const transitions: ChartTransition[] = [];
  for (const t of chart.transitions) {
    const targets = t.targets ?? [];
    if (targets.length === 0 || t.source === '') {
      transitions.push({ source: t.source, event: t.event, target: targets[0] ?? null, edgeId: null });
      continue;
    }
    for (const target of targets) {
      const key = `${t.source}\u0000${target}`;
      let edge = byPair.get(key);
      if (edge === undefined) {
        edge = { id: `${prefix}-e${byPair.size}`, source: t.source, target, events: [], details: [] };
        byPair.set(key, edge);
      }
      const short = shortEvent(t.event);
      if (!edge.events.includes(short)) edge.events.push(short);
      edge.details.push(detailOf(t));
      transitions.push({ source: t.source, event: t.event, target, edgeId: edge.id });
    }
  }
  return { id: chart.id, nodes, edges: [...byPair.values()], transitions };
}

const within = (path: string, ancestor: string): boolean => ancestor === '' || path === ancestor || path.startsWith(`${ancestor}.`);

/**
 * The edge a recorded transition (`from` → `to` on `event`) was drawn as, or
 * null (targetless, or no match). A transition matches when it is defined on
 * `from` or an ancestor, its event is `event` or eventless (`always` steps are
 * recorded with the event of their macrostep), and `to` lies within its target
 * (a history target stands for its parent). Document order breaks ties, exact
 * events first.
 */
export function matchEdge(graph: ChartGraph, from: string, to: string, event: string): string | null {
  const historyParent = new Map(graph.nodes.filter((n) => n.type === 'history').map((n) => [n.path, n.parent ?? '']));
  const fits = (t: ChartTransition): boolean => {
    if (t.edgeId === null || t.target === null || !within(from, t.source)) return false;
    const target = historyParent.get(t.target) ?? t.target;
    return within(to, target);
  };
  const exact = graph.transitions.find((t) => t.event === event && fits(t));
  if (exact !== undefined) return exact.edgeId;
  return graph.transitions.find((t) => t.event === 'always' && fits(t))?.edgeId ?? null;
}
