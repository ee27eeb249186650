// Pure: a structured, JSON-serializable description of a statechart, read from
// the machine's *config* (the object literal given to createMachine). The
// config is used rather than `machine.toJSON()` / `definition`, which drop
// eventless (`always`) edges and guard names. Used by the docs generator and
// meant for exporters (json, scxml, mermaid, dot) and model-based coverage.
import type { AnyStateMachine } from 'xstate';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

export type StateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** A named action with its static params, e.g. `block(code=plan_insufficient, resume=attempt)`. */
export interface ActionDescription {
  /** Implementation name; `xstate.assign` etc. for built-ins; `inline` for an anonymous function. */
  readonly name: string;
  /** Static params; `null` when there are none (or when they are computed at run time). */
  readonly params: JsonObject | null;
  /** `name` or `name(k=v, …)`; `name(<dynamic>)` for params computed at run time. */
  readonly label: string;
}

/** A guard: a named guard (with params), a higher-order `and`/`or`/`not`, `stateIn`, or `inline`. */
export interface GuardDescription {
  readonly name: string;
  readonly params: JsonObject | null;
  /** Operands of `and` / `or` / `not`; empty otherwise. */
  readonly guards: readonly GuardDescription[];
  /** `name`, `name(k=v, …)`, `and(a, b)`, `not(a)`. */
  readonly label: string;
}

export interface TransitionDescription {
  /** Path of the state node the transition is defined on (an ancestor for inherited `on`); `''` is the root. */
  readonly source: string;
  /**
   * Event type: `always` for eventless transitions, `xstate.done.actor.<id>` /
   * `xstate.error.actor.<id>` for invoke onDone / onError,
   * `xstate.done.state.<nodeId>` for a state's onDone, `xstate.after.<delay>.<nodeId>` for delays.
   */
  readonly event: string;
  /** Position among the candidates for this source and event (document order = priority). */
  readonly index: number;
  readonly guard: GuardDescription | null;
  /** Resolved target state paths; `null` for a targetless transition. */
  readonly targets: readonly string[] | null;
  readonly reenter: boolean;
  readonly actions: readonly ActionDescription[];
  /** The `code` param of a `block` action among `actions`, if any. */
  readonly blockerCode: string | null;
  readonly description: string | null;
}

export interface InvokeDescription {
  /** Invoke id (as in `xstate.done.actor.<id>`); xstate's generated id when the config gives none. */
  readonly id: string;
  /** Actor source name; `xstate.invoke.<i>.<nodeId>` for inline logic. */
  readonly src: string;
  readonly systemId: string | null;
  readonly onDone: readonly TransitionDescription[];
  readonly onError: readonly TransitionDescription[];
}

export interface StateDescription {
  /** Dot-joined path from the root, e.g. `active.implementing`; `''` for the root. */
  readonly path: string;
  readonly key: string;
  /** The xstate state node id (`config.id`, else `<machineId>.<path>`). */
  readonly id: string;
  /** Path of the parent; `null` for the root. */
  readonly parent: string | null;
  readonly type: StateType;
  /** `deep` / `shallow` for history nodes, else `null`. */
  readonly history: 'deep' | 'shallow' | null;
  /** A history node's default target (its config `target`, else the parent's initial child); `null` for other nodes. */
  readonly historyTarget: readonly string[] | null;
  /** Path of the initial child of a compound node, else `null`. */
  readonly initial: string | null;
  readonly children: readonly string[];
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly entry: readonly ActionDescription[];
  readonly exit: readonly ActionDescription[];
  readonly invoke: readonly InvokeDescription[];
}

/** The names declared in `setup({...})` (what the config may reference), in declaration order. */
export interface ImplementationNames {
  readonly actions: readonly string[];
  readonly guards: readonly string[];
  readonly actors: readonly string[];
  readonly delays: readonly string[];
}

/** An actor source of the chart and where it is used. */
export interface ActorDescription {
  /** The actor name in setup's `actors` (or an invoke `src` that setup does not declare). */
  readonly src: string;
  /** Paths of the states that invoke it. */
  readonly invokedIn: readonly string[];
  /** Names of the actions that spawn it (from `DescribeOptions.spawns`). */
  readonly spawnedBy: readonly string[];
}

export interface ChartDescription {
  /** The machine id (`#<id>` targets resolve against it). */
  readonly id: string;
  readonly description: string | null;
  /** The root node (path `''`). */
  readonly root: StateDescription;
  /** Every state node except the root, in document order (pre-order). */
  readonly states: readonly StateDescription[];
  /** Every transition, grouped by source in document order. */
  readonly transitions: readonly TransitionDescription[];
  readonly implementations: ImplementationNames;
  /** Every actor source: declared in setup first, then undeclared invoke sources. */
  readonly actors: readonly ActorDescription[];
}

export interface DescribeOptions {
  /**
   * Which actions spawn which actor sources, e.g. `{ spawnReadyTasks: ['task'] }`.
   * The config cannot show it: spawning happens inside a provided action.
   */
  readonly spawns?: Readonly<Record<string, readonly string[]>>;
}

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

type Obj = Record<string, unknown>;

interface RawNode {
  readonly path: readonly string[];
  readonly key: string;
  readonly id: string;
  readonly config: Obj;
  readonly parent: RawNode | null;
  readonly children: Map<string, RawNode>;
}

const STATE_TYPES: readonly StateType[] = ['atomic', 'compound', 'parallel', 'final', 'history'];

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toArr(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

const joinPath = (path: readonly string[]): string => path.join('.');

/** Split a state path on `.`, honouring `\.` escapes (as xstate does). */
function toStatePath(text: string): string[] {
  const out: string[] = [];
  let segment = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      segment += text[i + 1] ?? '';
      i++;
    } else if (ch === '.') {
      out.push(segment);
      segment = '';
    } else {
      segment += ch;
    }
  }
  out.push(segment);
  return out;
}

function jsonSafe(value: unknown, seen: Set<unknown> = new Set()): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === undefined) return null;
  if (typeof value === 'function') return '<function>';
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => jsonSafe(v, seen));
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value as Obj)) {
      if (v !== undefined) out[k] = jsonSafe(v, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function formatValue(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function paramsLabel(name: string, params: JsonObject | null, dynamic: boolean): string {
  if (dynamic) return `${name}(<dynamic>)`;
  if (params === null) return name;
  return `${name}(${Object.entries(params)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(', ')})`;
}

function describeAction(action: unknown): ActionDescription {
  if (typeof action === 'string') return { name: action, params: null, label: action };
  if (typeof action === 'function') {
    const type = (action as { type?: unknown }).type;
    const name = typeof type === 'string' ? type : 'inline';
    return { name, params: null, label: name };
  }
  if (isObj(action) && typeof action['type'] === 'string') {
    const name = action['type'];
    const raw = action['params'];
    const dynamic = typeof raw === 'function';
    const params = isObj(raw) ? (jsonSafe(raw) as JsonObject) : null;
    return { name, params, label: paramsLabel(name, params, dynamic) };
  }
  return { name: 'inline', params: null, label: 'inline' };
}

function describeGuard(guard: unknown): GuardDescription | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return { name: guard, params: null, guards: [], label: guard };
  if (typeof guard === 'function') {
    const fn = guard as { name?: unknown; guards?: unknown; stateValue?: unknown };
    if (Array.isArray(fn.guards) && (fn.name === 'and' || fn.name === 'or' || fn.name === 'not')) {
      const guards = (fn.guards as unknown[]).map((g) => describeGuard(g) ?? { name: 'inline', params: null, guards: [], label: 'inline' });
      return { name: fn.name, params: null, guards, label: `${fn.name}(${guards.map((g) => g.label).join(', ')})` };
    }
    if ('stateValue' in fn) {
      const params = { state: jsonSafe(fn.stateValue) };
      return { name: 'stateIn', params, guards: [], label: `stateIn(${formatValue(params.state)})` };
    }
    return { name: 'inline', params: null, guards: [], label: 'inline' };
  }
  if (isObj(guard) && typeof guard['type'] === 'string') {
    const name = guard['type'];
    const raw = guard['params'];
    const dynamic = typeof raw === 'function';
    const params = isObj(raw) ? (jsonSafe(raw) as JsonObject) : null;
    return { name, params, guards: [], label: paramsLabel(name, params, dynamic) };
  }
  return { name: 'inline', params: null, guards: [], label: 'inline' };
}

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
