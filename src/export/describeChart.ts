// Pure: a structured, JSON-serializable description of a statechart, read from
// the machine's *config* (the object literal given to createMachine). The
// config is used rather than `machine.toJSON()` / `definition`, which drop
// eventless (`always`) edges and guard names. Used by the docs generator and
// meant for exporters (json, scxml, mermaid, dot) and model-based coverage.
import type { AnyStateMachine } from 'xstate';
import type { ActorDescription, ChartDescription, DescribeOptions, ImplementationNames, InvokeDescription, StateDescription, StateType, TransitionDescription } from './chartDescription.js';
import { type Obj, describeAction, describeGuard, isObj, joinPath, str, toArr, toStatePath } from './chartConfigParts.js';

export type * from './chartDescription.js';

/**
 * The stable identity of a transition: `(source, event, index)`.
 * @example
 * new Map(chart.transitions.map((t) => [transitionKey(t), t])); // unique per chart
 */
export function transitionKey(t: Pick<TransitionDescription, 'source' | 'event' | 'index'>): string {
  return `${t.source}|${t.event}|${t.index}`;
}

/** Every state path of a machine (root excluded), in document order. */
export function listStatePaths(machine: AnyStateMachine): string[] {
  return describeChart(machine).states.map((s) => s.path);
}

// ---------------------------------------------------------------------------

interface RawNode {
  readonly path: readonly string[];
  readonly key: string;
  readonly id: string;
  readonly config: Obj;
  readonly parent: RawNode | null;
  readonly children: Map<string, RawNode>;
}

const STATE_TYPES: readonly StateType[] = ['atomic', 'compound', 'parallel', 'final', 'history'];

/** As xstate's toTransitionConfigArray: a target string or undefined becomes `{ target }`. */
function transitionConfigs(value: unknown): Obj[] {
  return toArr(value).map((t) => (t === undefined || typeof t === 'string' ? { target: t } : isObj(t) ? t : {}));
}

class ChartWalker {
  private readonly idMap = new Map<string, RawNode>();
  private readonly counters = new Map<string, number>();
  readonly root: RawNode;

  constructor(private readonly machineId: string, rootConfig: Obj) {
    this.root = this.build(rootConfig, null, '', []);
  }

  private build(config: Obj, parent: RawNode | null, key: string, path: readonly string[]): RawNode {
    const id = str(config['id']) ?? [this.machineId, ...path].join('.');
    const node: RawNode = { path, key, id, config, parent, children: new Map() };
    this.idMap.set(id, node);
    const states = config['states'];
    if (isObj(states)) {
      for (const [childKey, childConfig] of Object.entries(states)) {
        node.children.set(childKey, this.build(isObj(childConfig) ? childConfig : {}, node, childKey, [...path, childKey]));
      }
    }
    return node;
  }

  *nodes(node: RawNode = this.root): Generator<RawNode> {
    yield node;
    for (const child of node.children.values()) yield* this.nodes(child);
  }

  private fail(node: RawNode, message: string): never {
    throw new Error(`describeChart(${this.machineId}): state "${joinPath(node.path) || '(root)'}": ${message}`);
  }

  private walk(from: RawNode, segments: readonly string[], target: string): RawNode {
    let current = from;
    for (const segment of segments) {
      if (segment.startsWith('#')) {
        const byId = this.idMap.get(segment.slice(1));
        if (byId === undefined) this.fail(from, `unknown state id in target "${target}"`);
        current = byId;
        continue;
      }
      const next = current.children.get(segment);
      if (next === undefined) this.fail(from, `cannot resolve target "${target}"`);
      current = next;
    }
    return current;
  }

  /** Resolve one target as xstate does: `#id.path`, `.child`, or a sibling path. */
  private resolveTarget(node: RawNode, target: unknown): string {
    if (typeof target !== 'string') {
      const path = isObj(target) ? target['path'] : undefined;
      if (Array.isArray(path) && path.every((p) => typeof p === 'string')) return joinPath(path);
      return this.fail(node, 'unsupported target (not a string)');
    }
    if (target.startsWith('#')) {
      const [first = '', ...rest] = toStatePath(target);
      const base = this.idMap.get(first.slice(1));
      if (base === undefined) this.fail(node, `unknown state id in target "${target}"`);
      return joinPath(this.walk(base, rest, target).path);
    }
    if (target.startsWith('.')) return joinPath(this.walk(node, toStatePath(target.slice(1)), target).path);
    if (node.parent === null) this.fail(node, `target "${target}" is not valid from the root; did you mean ".${target}"?`);
    return joinPath(this.walk(node.parent, toStatePath(target), target).path);
  }

  private transition(node: RawNode, event: string, config: Obj): TransitionDescription {
    const source = joinPath(node.path);
    const counterKey = `${source}\u0000${event}`;
    const index = this.counters.get(counterKey) ?? 0;
    this.counters.set(counterKey, index + 1);
    const rawTarget = config['target'];
    const targets = rawTarget === undefined ? null : toArr(rawTarget).map((t) => this.resolveTarget(node, t));
    const actions = toArr(config['actions']).map(describeAction);
    const block = actions.find((a) => a.name === 'block' && typeof a.params?.['code'] === 'string');
    const code = block?.params?.['code'];
    return {
      source,
      event,
      index,
      guard: describeGuard(config['guard']),
      targets,
      reenter: config['reenter'] === true,
      actions,
      blockerCode: typeof code === 'string' ? code : null,
      description: str(config['description']),
    };
  }

  private transitions(node: RawNode, event: string, value: unknown): TransitionDescription[] {
    return transitionConfigs(value).map((t) => this.transition(node, event, t));
  }

  describeState(node: RawNode, out: TransitionDescription[]): StateDescription {
    const { config } = node;
    const path = joinPath(node.path);
    const hasChildren = node.children.size > 0;
    const declared = config['type'];
    let type: StateType;
    if (declared === undefined) type = hasChildren ? 'compound' : config['history'] ? 'history' : 'atomic';
    else if (typeof declared === 'string' && (STATE_TYPES as readonly string[]).includes(declared)) type = declared as StateType;
    else return this.fail(node, `unknown state type ${JSON.stringify(declared)}`);

    let initial: string | null = null;
    const rawInitial = config['initial'];
    const initialKey = typeof rawInitial === 'string' ? rawInitial : isObj(rawInitial) ? str(rawInitial['target']) : null;
    if (initialKey !== null) {
      const child = node.children.get(initialKey);
      if (child === undefined) this.fail(node, `initial state "${initialKey}" not found`);
      initial = joinPath(child.path);
    }

    // Same order as xstate's transitions map: on, onDone, invokes, after; then always.
    const on = config['on'];
    if (isObj(on)) for (const [event, value] of Object.entries(on)) out.push(...this.transitions(node, event, value));
    if (config['onDone'] !== undefined) out.push(...this.transitions(node, `xstate.done.state.${node.id}`, config['onDone']));

    const invoke = toArr(config['invoke']).map((raw, i): InvokeDescription => {
      const inv = isObj(raw) ? raw : {};
      const id = str(inv['id']) ?? `${i}.${node.id}`;
      const src = str(inv['src']) ?? `xstate.invoke.${i}.${node.id}`;
      const onDone = inv['onDone'] === undefined ? [] : this.transitions(node, `xstate.done.actor.${id}`, inv['onDone']);
      const onError = inv['onError'] === undefined ? [] : this.transitions(node, `xstate.error.actor.${id}`, inv['onError']);
      const onSnapshot = inv['onSnapshot'] === undefined ? [] : this.transitions(node, `xstate.snapshot.${id}`, inv['onSnapshot']);
      out.push(...onDone, ...onError, ...onSnapshot);
      return { id, src, systemId: str(inv['systemId']), onDone, onError };
    });

    const after = config['after'];
    if (isObj(after)) {
      for (const [delay, value] of Object.entries(after)) {
        const resolved = Number.isNaN(Number(delay)) ? delay : String(Number(delay));
        out.push(...this.transitions(node, `xstate.after.${resolved}.${node.id}`, value));
      }
    }
    if (config['always'] !== undefined) out.push(...this.transitions(node, 'always', config['always']));

    return {
      path,
      key: node.key,
      id: node.id,
      parent: node.parent === null ? null : joinPath(node.parent.path),
      type,
      history: type === 'history' ? (config['history'] === 'deep' ? 'deep' : 'shallow') : null,
      historyTarget: type === 'history' ? this.historyTarget(node) : null,
      initial,
      children: [...node.children.values()].map((c) => joinPath(c.path)),
      description: str(config['description']),
      tags: toArr(config['tags']).filter((t): t is string => typeof t === 'string'),
      entry: toArr(config['entry']).map(describeAction),
      exit: toArr(config['exit']).map(describeAction),
      invoke,
    };
  }

  private historyTarget(node: RawNode): string[] | null {
    const target = node.config['target'];
    if (target !== undefined) return toArr(target).map((t) => this.resolveTarget(node, t));
    const initial = node.parent?.config['initial'];
    const key = typeof initial === 'string' ? initial : isObj(initial) ? str(initial['target']) : null;
    return node.parent === null || key === null ? null : [joinPath([...node.parent.path, key])];
  }

  /** `route` configs on nodes with an explicit id become `xstate.route` transitions on the root. */
  routes(out: TransitionDescription[]): void {
    for (const node of this.nodes()) {
      const route = node.config['route'];
      if (node === this.root || !isObj(route) || str(node.config['id']) === null) continue;
      out.push(this.transition(this.root, 'xstate.route', { ...route, target: `#${node.id}` }));
    }
  }
}

/**
 * Describe a machine's chart from its config: every state node and every
 * transition (including `always`, invoke onDone / onError, delayed and
 * inherited ones), with guard and action names and resolved targets.
 * Deterministic: the same machine gives a deep-equal description.
 * @example
 * const chart = describeChart(runChart, { spawns: RUN_SPAWNS });
 * chart.transitions.filter((t) => t.event === 'always' && t.guard !== null).map((t) => t.guard?.label);
 */
export function describeChart(machine: AnyStateMachine, options: DescribeOptions = {}): ChartDescription {
  const config: unknown = machine.config;
  if (!isObj(config)) throw new Error('describeChart: the machine has no config object');
  const walker = new ChartWalker(machine.id, config);
  const transitions: TransitionDescription[] = [];
  const all = [...walker.nodes()].map((node) => walker.describeState(node, transitions));
  walker.routes(transitions);
  const [root, ...states] = all;
  if (root === undefined) throw new Error('describeChart: no root');
  const implementations = implementationNames(machine);
  const actors = describeActors(machine.id, all, implementations, options.spawns ?? {});
  return { id: machine.id, description: root.description, root, states, transitions, implementations, actors };
}

function implementationNames(machine: AnyStateMachine): ImplementationNames {
  const impl: unknown = machine.implementations;
  const names = (kind: string): string[] => (isObj(impl) && isObj(impl[kind]) ? Object.keys(impl[kind]) : []);
  return { actions: names('actions'), guards: names('guards'), actors: names('actors'), delays: names('delays') };
}

function describeActors(
  machineId: string,
  states: readonly StateDescription[],
  implementations: ImplementationNames,
  spawns: Readonly<Record<string, readonly string[]>>,
): ActorDescription[] {
  const sources = [...implementations.actors];
  for (const s of states) for (const inv of s.invoke) if (!sources.includes(inv.src)) sources.push(inv.src);
  for (const [action, spawned] of Object.entries(spawns)) {
    if (!implementations.actions.includes(action)) throw new Error(`describeChart(${machineId}): spawns names action "${action}", which setup does not declare`);
    for (const src of spawned) {
      if (!implementations.actors.includes(src)) throw new Error(`describeChart(${machineId}): action "${action}" spawns "${src}", which setup does not declare`);
    }
  }
  return sources.map((src) => ({
    src,
    invokedIn: states.filter((s) => s.invoke.some((inv) => inv.src === src)).map((s) => s.path),
    spawnedBy: Object.entries(spawns)
      .filter(([, spawned]) => spawned.includes(src))
      .map(([action]) => action),
  }));
}
