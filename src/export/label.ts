// Pure: the text a diagram shows on a transition or a state, shared by the
// mermaid and dot exports so both read the same way:
//   <event> [<guard>] / <action>, <action> (targetless) (reenter)
// `always` is the eventless transition; actions that spawn actors say so.
import type { ActionDescription, ChartDescription, StateDescription, TransitionDescription } from './describeChart.js';

/** What labels need to know about the whole chart. */
export interface LabelContext {
  /** Actor sources spawned by each action name. */
  readonly spawns: ReadonlyMap<string, readonly string[]>;
  /** Number of candidate transitions per `source|event`. */
  readonly candidates: ReadonlyMap<string, number>;
}

export function labelContext(chart: ChartDescription): LabelContext {
  const spawns = new Map<string, string[]>();
  for (const actor of chart.actors) {
    for (const action of actor.spawnedBy) spawns.set(action, [...(spawns.get(action) ?? []), actor.src]);
  }
  const candidates = new Map<string, number>();
  for (const t of chart.transitions) candidates.set(`${t.source}|${t.event}`, (candidates.get(`${t.source}|${t.event}`) ?? 0) + 1);
  return { spawns, candidates };
}

/** `name(k=v)`, plus `(spawns a, b)` for an action that spawns actors. */
export function actionText(action: ActionDescription, ctx: LabelContext): string {
  const spawned = ctx.spawns.get(action.name);
  return spawned === undefined ? action.label : `${action.label} (spawns ${spawned.join(', ')})`;
}

/**
 * `<event> [<guard>] / <actions> (targetless) (reenter) (k/n)`: `(k/n)` is the
 * priority among the n candidates for the same source and event (1 is tried first).
 */
export function transitionLabel(t: TransitionDescription, ctx: LabelContext): string {
  let text = t.event;
  if (t.guard !== null) text += ` [${t.guard.label}]`;
  if (t.actions.length > 0) text += ` / ${t.actions.map((a) => actionText(a, ctx)).join(', ')}`;
  if (t.targets === null) text += ' (targetless)';
  if (t.reenter) text += ' (reenter)';
  const n = ctx.candidates.get(`${t.source}|${t.event}`) ?? 1;
  if (n > 1) text += ` (${t.index + 1}/${n})`;
  return text;
}

/** The lines shown inside a state: entry / exit actions, invoked actors, history kind. */
export function stateNotes(s: StateDescription, ctx: LabelContext): string[] {
  const lines: string[] = [];
  if (s.history !== null) lines.push(`${s.history} history`);
  if (s.entry.length > 0) lines.push(`entry / ${s.entry.map((a) => actionText(a, ctx)).join(', ')}`);
  if (s.exit.length > 0) lines.push(`exit / ${s.exit.map((a) => actionText(a, ctx)).join(', ')}`);
  for (const inv of s.invoke) lines.push(`invoke ${inv.src}${inv.id === inv.src ? '' : ` (id ${inv.id})`}`);
  return lines;
}

/** Index of states by path, root included (path `''`). */
export function statesByPath(chart: ChartDescription): Map<string, StateDescription> {
  return new Map<string, StateDescription>([[chart.root.path, chart.root], ...chart.states.map((s) => [s.path, s] as const)]);
}

function contains(ancestor: string, path: string): boolean {
  return ancestor === '' || path === ancestor || path.startsWith(`${ancestor}.`);
}

/**
 * The deepest state that strictly contains both the source and the target:
 * where a diagram declares the edge so that no end is redrawn elsewhere.
 */
export function edgeContainer(source: string, target: string, byPath: ReadonlyMap<string, StateDescription>): string {
  let container = byPath.get(source)?.parent ?? '';
  while (container !== '' && !(contains(container, target) && target !== container)) {
    container = byPath.get(container)?.parent ?? '';
  }
  return container;
}
