// The machine definition as xstate itself built it (StateNode tree), in the
// shape every export is parsed back into. Independent of describeChart, so the
// round-trip tests compare the exports against xstate, not against themselves.
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface ParsedTransition {
  readonly source: string;
  /** `always` for eventless transitions. */
  readonly event: string;
  /** null for a targetless transition. */
  readonly targets: readonly string[] | null;
  /** The guard as `name` or `name(k=v, …)`; null when unguarded. */
  readonly guard: string | null;
  /** Action labels (`name` or `name(k=v, …)`), in order. */
  readonly actions: readonly string[];
}

export interface ParsedChart {
  /** Every state path (root excluded) with its kind: container (compound / parallel), atomic, final, history. */
  readonly states: ReadonlyMap<string, 'container' | 'atomic' | 'final' | 'history'>;
  /** Initial child of the root (`''`) and of each compound state. */
  readonly initial: ReadonlyMap<string, string>;
  readonly transitions: readonly ParsedTransition[];
  /** Entry action labels per state path (only states that have some). */
  readonly entry: ReadonlyMap<string, readonly string[]>;
  /** Invoked actor sources per state path (only states that invoke). */
  readonly invokes: ReadonlyMap<string, readonly string[]>;
}

const fmt = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** `name` or `name(k=v, …)`: the label format of docs/library.md. */
export function refLabel(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'object' && ref !== null && 'type' in ref && typeof ref.type === 'string') {
    const params = 'params' in ref && typeof ref.params === 'object' && ref.params !== null ? Object.entries(ref.params) : null;
    return params === null ? ref.type : `${ref.type}(${params.map(([k, v]) => `${k}=${fmt(v)}`).join(', ')})`;
  }
  throw new Error(`not a named reference: ${String(ref)}`);
}

const pathOf = (node: AnyStateNode): string => node.path.join('.');

function nodes(node: AnyStateNode, out: AnyStateNode[] = []): AnyStateNode[] {
  out.push(node);
  for (const child of Object.values(node.states)) nodes(child, out);
  return out;
}

/** What xstate built from a machine's config. */
export function definitionOf(machine: AnyStateMachine): ParsedChart {
  const states = new Map<string, 'container' | 'atomic' | 'final' | 'history'>();
  const initial = new Map<string, string>();
  const transitions: ParsedTransition[] = [];
  const entry = new Map<string, string[]>();
  const invokes = new Map<string, string[]>();
  for (const node of nodes(machine.root)) {
    const path = pathOf(node);
    if (node !== machine.root) states.set(path, node.type === 'compound' || node.type === 'parallel' ? 'container' : node.type);
    if (node.type === 'compound') initial.set(path, node.initial.target.map(pathOf).join(','));
    const defs = [...[...node.transitions.entries()].flatMap(([event, list]) => list.map((t) => ({ event, t }))), ...(node.always ?? []).map((t) => ({ event: 'always', t }))];
    for (const { event, t } of defs) {
      transitions.push({
        source: path,
        event,
        targets: t.target === undefined ? null : t.target.map(pathOf),
        guard: t.guard === undefined ? null : refLabel(t.guard),
        actions: t.actions.map(refLabel),
      });
    }
    // xstate adds a `raise` of the delayed event to the entry of a state with `after`; the config has none.
    const declared = node.entry.filter((a) => !(typeof a === 'function' && (a as { type?: unknown }).type === 'xstate.raise' && node.after.length > 0));
    if (declared.length > 0) entry.set(path, declared.map(refLabel));
    if (node.invoke.length > 0) invokes.set(path, node.invoke.map((i) => fmt(i.src)));
  }
  return { states, initial, transitions, entry, invokes };
}

/** A transition as one comparable string. */
export const transitionKey = (t: ParsedTransition): string =>
  `${t.source} | ${t.event} | ${t.targets === null ? '(none)' : t.targets.join(',')} | ${t.guard ?? '-'} | ${t.actions.join(', ')}`;

/** Split `a, b(x=1, y=2), c` on top-level commas. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/**
 * Read the shared diagram label `<event> [<guard>] / <actions> (targetless) (reenter) (k/n)`.
 * Action texts lose their ` (spawns …)` suffix (reported separately).
 */
export function parseLabel(label: string): { event: string; guard: string | null; actions: string[]; targetless: boolean; spawns: string[] } {
  let rest = label;
  rest = rest.replace(/ \(\d+\/\d+\)$/, '');
  const targetless = rest.endsWith(' (targetless)') || rest.includes(' (targetless) (reenter)');
  rest = rest.replace(' (reenter)', '').replace(' (targetless)', '');
  const space = rest.indexOf(' ');
  const event = space === -1 ? rest : rest.slice(0, space);
  rest = space === -1 ? '' : rest.slice(space + 1);
  let guard: string | null = null;
  if (rest.startsWith('[')) {
    let depth = 0;
    let end = 0;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '[') depth++;
      if (rest[i] === ']' && --depth === 0) {
        end = i;
        break;
      }
    }
    guard = rest.slice(1, end);
    rest = rest.slice(end + 1).trimStart();
  }
  const spawns: string[] = [];
  const actions = rest.startsWith('/ ')
    ? splitTopLevel(rest.slice(2)).map((a) => {
        const m = / \(spawns ([^)]*)\)$/.exec(a);
        if (m === null) return a;
        spawns.push(...(m[1] ?? '').split(', '));
        return a.slice(0, m.index);
      })
    : [];
  return { event, guard, actions, targetless, spawns };
}
