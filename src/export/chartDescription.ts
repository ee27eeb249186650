// The shapes of a chart description (see describeChart.ts): JSON-serializable,
// stable, read by the docs generator, the exporters and the model coverage.

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
