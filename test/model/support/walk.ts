// Generate paths with @xstate/graph and replay them on real actors whose
// effects are stubbed, checking the invariants at every step.
//
// Paths are replayed as a prefix tree: the root starts a fresh actor; every
// other step starts from its parent step's persisted snapshot (JSON round
// trip), so each distinct prefix is executed once and every step also
// exercises restore-and-continue (invariant 6 checks the restore is exact).
// Transitions the shortest paths did not take are then probed: from a visited
// step whose state holds the transition's source, each generated event of the
// right type is sent; a probe is a path and is checked like any other.
import { getAdjacencyMap, getShortestPaths } from '@xstate/graph';
import { createActor, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, type InspectionEvent } from 'xstate';
import { chartUniverse, occupiedStateIds, transitionKey } from './chartGraph.js';
import { finalAcceptsNothing } from './invariants.js';

type AnySnap = AnyMachineSnapshot;

/** Probes tried per uncovered transition before the walk gives up on it (it then shows as uncovered). */
const MAX_PROBES_PER_TRANSITION = 50;
/**
 * Bounds that make a broken chart fail instead of hang (the path search is
 * synchronous: a test timeout cannot stop it). About five times what the
 * charts as written need (29 077 abstract states for the run walk, 6 506
 * simple paths for the task's core lifecycle).
 */
export const MAX_ABSTRACT_STATES = 150_000;
export const MAX_SIMPLE_PATHS = 35_000;
interface View<C> {
  value: unknown;
  status: string;
  context: C;
}

export interface WalkSpec<C> {
  readonly machine: AnyStateMachine;
  readonly input: unknown;
  readonly events: (snapshot: View<C>) => EventObject[];
  readonly allEvents: readonly EventObject[];
  readonly invariants: (prev: View<C> | null, next: View<C>, sent: readonly EventObject[]) => string[];
  readonly kind: 'shortest' | 'simple';
  /** Abstract state key for the traversal (see models.ts). */
  readonly key: (snapshot: View<C>) => string;
  /** Stop replaying once this many violations were found (broken-chart tests need only one). */
  readonly stopAfterViolations?: number;
}

export interface WalkResult {
  paths: number;
  steps: number;
  violations: string[];
  states: Set<string>;
  transitions: Set<string>;
}

export const emptyResult = (): WalkResult => ({ paths: 0, steps: 0, violations: [], states: new Set(), transitions: new Set() });

interface TrieNode {
  readonly event: EventObject | null;
  readonly children: Map<string, TrieNode>;
  persisted: string | null;
  sent: readonly EventObject[];
  view: View<unknown> | null;
}

const describePath = (events: readonly EventObject[]): string =>
  events.map((e) => e.type.replace('xstate.done.actor.', 'done:').replace('xstate.error.actor.', 'error:')).join(' > ');

export function walk<C>(spec: WalkSpec<C>, into: WalkResult = emptyResult()): WalkResult {
  const options = {
    input: spec.input,
    events: (s: AnySnap) => spec.events(s),
    stopWhen: (s: AnySnap) => s.status !== 'active',
    serializeState: (s: AnySnap) => spec.key(s),
  };
  let paths: EventObject[][];
  try {
    paths =
      spec.kind === 'shortest'
        ? getShortestPaths(spec.machine, { ...options, limit: MAX_ABSTRACT_STATES }).map((path) => path.steps.slice(1).map((step) => step.event as EventObject))
        : simplePaths(spec.machine, options);
  } catch (error) {
    into.violations.push(`the ${spec.kind} path search stopped: ${error instanceof Error ? error.message : String(error)} (a chart whose state space explodes is broken)`);
    return into;
  }

  const root: TrieNode = { event: null, children: new Map(), persisted: null, sent: [], view: null };
  for (const path of paths) {
    into.paths++;
    let node = root;
    for (const event of path) {
      const k = JSON.stringify(event);
      let child = node.children.get(k);
      if (child === undefined) {
        child = { event, children: new Map(), persisted: null, sent: [...node.sent, event], view: null };
        node.children.set(k, child);
      }
      node = child;
    }
  }

  const visited: TrieNode[] = [];
  const run = (node: TrieNode, parent: TrieNode | null, expected: unknown): void => {
    const newly = new Set<string>();
    const record = (ev: InspectionEvent) => {
      if (ev.type !== '@xstate.microstep') return;
      const snap = ev.snapshot as AnySnap;
      if (snap.machine !== spec.machine) return;
      for (const t of ev._transitions) newly.add(transitionKey(t));
      for (const id of occupiedStateIds(spec.machine.id, snap.value)) into.states.add(id);
    };
    const actor =
      parent === null
        ? createActor(spec.machine, { input: spec.input, inspect: record })
        : createActor(spec.machine, { input: spec.input, inspect: record, snapshot: JSON.parse(parent.persisted ?? 'null') as AnySnap });
    actor.start();
    if (node.event !== null) {
      actor.send(node.event);
      into.steps++;
    }
    const snap: AnySnap = actor.getSnapshot();
    for (const id of occupiedStateIds(spec.machine.id, snap.value)) into.states.add(id);
    for (const t of newly) into.transitions.add(t);
    node.persisted = JSON.stringify(actor.getPersistedSnapshot());
    node.view = { value: snap.value, status: snap.status, context: snap.context as unknown };
    actor.stop();
    const found = [
      ...(expected !== undefined && JSON.stringify(snap.value) !== JSON.stringify(expected) ? [`replay diverged: expected ${JSON.stringify(expected)}, got ${JSON.stringify(snap.value)}`] : []),
      ...spec.invariants((parent?.view ?? null) as View<C> | null, node.view as View<C>, node.sent),
      ...finalAcceptsNothing(spec.machine, snap, spec.allEvents),
      ...roundTrip(spec, snap, node.persisted),
    ];
    for (const f of found) into.violations.push(`${f}\n    path: ${describePath(node.sent)}`);
    visited.push(node);
  };

  // Phase 1: the prefix tree, depth first. A node's persisted snapshot is
  // dropped once all its children ran, so memory stays at one branch.
  const remaining = new Map<TrieNode, number>();
  const stack: [TrieNode, TrieNode | null][] = [[root, null]];
  const enough = () => spec.stopAfterViolations !== undefined && into.violations.length >= spec.stopAfterViolations;
  while (stack.length > 0 && !enough()) {
    const [node, parent] = stack.pop() as [TrieNode, TrieNode | null];
    run(node, parent, undefined);
    if (parent !== null) {
      const left = (remaining.get(parent) ?? 1) - 1;
      remaining.set(parent, left);
      if (left === 0) parent.persisted = null;
    }
    if (node.children.size === 0) node.persisted = null;
    else remaining.set(node, node.children.size);
    for (const child of node.children.values()) stack.push([child, node]);
  }

  // Phase 2: probe transitions the paths did not take.
  const universe = chartUniverse(spec.machine);
  for (const key of universe.transitions) {
    if (into.transitions.has(key) || enough()) continue;
    const [source, rest] = key.split(' --') as [string, string];
    const eventType = rest.slice(0, rest.lastIndexOf('#'));
    let probes = 0;
    for (const node of visited) {
      if (into.transitions.has(key) || probes >= MAX_PROBES_PER_TRANSITION) break;
      if (node.view === null || node.view.status !== 'active') continue;
      if (!occupiedStateIds(spec.machine.id, node.view.value).includes(source)) continue;
      for (const event of spec.events(node.view as View<C>)) {
        if (eventType !== 'always' && event.type !== eventType) continue;
        if (node.children.has(JSON.stringify(event))) continue; // already walked
        if (++probes > MAX_PROBES_PER_TRANSITION) break;
        const probe: TrieNode = { event, children: new Map(), persisted: null, sent: [...node.sent, event], view: null };
        into.paths++;
        node.persisted = replayFromStart(spec, node.sent);
        run(probe, node, undefined);
        node.persisted = null;
        if (into.transitions.has(key)) break;
      }
    }
  }
  return into;
}

/**
 * Every simple path from the initial state (no abstract state twice), as its
 * events: the same set @xstate/graph's getSimplePaths returns, found in one
 * depth-first pass over the adjacency map instead of one pass per target
 * state, and bounded (MAX_ABSTRACT_STATES, MAX_SIMPLE_PATHS): past a bound it
 * throws, which the walk reports as a violation.
 */
function simplePaths(machine: AnyStateMachine, options: { input: unknown; events: (s: AnySnap) => EventObject[]; stopWhen: (s: AnySnap) => boolean; serializeState: (s: AnySnap) => string }): EventObject[][] {
  type Edges = Record<string, { transitions: Record<string, { state: unknown; event: unknown }> } | undefined>;
  const adjacency = getAdjacencyMap(machine, { ...options, limit: MAX_ABSTRACT_STATES }) as unknown as Edges;
  const start = Object.keys(adjacency)[0];
  if (start === undefined) return [];
  const out: EventObject[][] = [];
  const onPath = new Set<string>([start]);
  const events: EventObject[] = [];
  const visit = (serial: string): void => {
    out.push([...events]);
    if (out.length > MAX_SIMPLE_PATHS) throw new Error(`more than ${MAX_SIMPLE_PATHS} simple paths`);
    for (const { state, event } of Object.values(adjacency[serial]?.transitions ?? {})) {
      const next = options.serializeState(state as AnySnap);
      if (onPath.has(next)) continue;
      onPath.add(next);
      events.push(event as EventObject);
      visit(next);
      events.pop();
      onPath.delete(next);
    }
  };
  visit(start);
  return out;
}

/** The persisted snapshot reached by sending `events` to a fresh actor. */
function replayFromStart<C>(spec: WalkSpec<C>, events: readonly EventObject[]): string {
  const actor = createActor(spec.machine, { input: spec.input });
  actor.start();
  for (const event of events) actor.send(event);
  const persisted = JSON.stringify(actor.getPersistedSnapshot());
  actor.stop();
  return persisted;
}

/**
 * 6. persisted snapshot → JSON → restored actor: same state value, status and
 * context. (Every non-leaf step is also started from this restore by its
 * children in the prefix tree, so restore-then-continue is exercised too.)
 */
function roundTrip<C>(spec: WalkSpec<C>, snap: AnySnap, persisted: string): string[] {
  const restored = createActor(spec.machine, { snapshot: JSON.parse(persisted) as AnySnap, input: spec.input });
  const again: AnySnap = restored.getSnapshot();
  const out: string[] = [];
  if (JSON.stringify(again.value) !== JSON.stringify(snap.value)) out.push(`6: restored value ${JSON.stringify(again.value)} != ${JSON.stringify(snap.value)}`);
  if (JSON.stringify(again.context) !== JSON.stringify(snap.context)) out.push('6: restored context differs');
  if (again.status !== snap.status) out.push(`6: restored status ${again.status} != ${snap.status}`);
  return out;
}
