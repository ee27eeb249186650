// The universe a model walk must cover, read from the machine definition:
// every state node and every transition (including eventless ones).
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface ChartUniverse {
  /** State node ids that can be occupied (history pseudo-states excluded). */
  readonly states: readonly string[];
  /** States whose only way out is eventless (`always`): they are passed through in a microstep. */
  readonly transient: readonly string[];
  readonly history: readonly string[];
  readonly transitions: readonly string[];
}

function walk(node: AnyStateNode, visit: (n: AnyStateNode) => void): void {
  visit(node);
  for (const child of Object.values(node.states)) walk(child, visit);
}

/** Stable identity of a transition: source state id, event type, index among that source's candidates. */
export function transitionKey(t: AnyTransitionDefinition): string {
  const source = t.source;
  const always = source.always ?? [];
  const i = always.indexOf(t);
  if (i >= 0) return `${source.id} --always#${i}`;
  const eventType = String(t.eventType);
  const list = source.transitions.get(eventType) ?? [];
  return `${source.id} --${t.eventType}#${list.indexOf(t)}`;
}

export function chartUniverse(machine: AnyStateMachine): ChartUniverse {
  const states: string[] = [];
  const transient: string[] = [];
  const history: string[] = [];
  const transitions: string[] = [];
  walk(machine.root, (node) => {
    if (node.type === 'history') {
      history.push(node.id);
      return;
    }
    if (node !== machine.root) states.push(node.id);
    if ((node.always?.length ?? 0) > 0 && node.transitions.size === 0) transient.push(node.id);
    for (const list of node.transitions.values()) for (const t of list) transitions.push(transitionKey(t));
    for (const t of node.always ?? []) transitions.push(transitionKey(t));
  });
  return { states, transient, history, transitions };
}

/** The ids of the state nodes a snapshot value occupies (ancestors included). */
export function occupiedStateIds(machineId: string, value: unknown, prefix = machineId): string[] {
  if (typeof value === 'string') return [`${prefix}.${value}`];
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    out.push(`${prefix}.${key}`);
    out.push(...occupiedStateIds(machineId, child, `${prefix}.${key}`));
  }
  return out;
}
