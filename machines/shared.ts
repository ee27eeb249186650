// What the run and task charts share: the placeholder of an effect the engine
// must provide, reading an effect's output from its done event, the gate
// guards both charts ask of a gate result, and adding one attempt's usage.
// Pure; imported by the *.machine files only.
import { fromPromise } from 'xstate';
import type { GateResult } from '../src/domain/gates.js';
import type { Usage } from '../src/domain/usage.js';

/** Placeholder for an effect the engine must provide; running without it is a bug, not a pass. */
export function notProvided<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(() => Promise.reject(new Error(`buran: actor "${name}" was not provided`)));
}

/** The output of an invoked actor's done event, if the event is one. */
export function outputOf<T>(event: { type: string }): T | undefined {
  return 'output' in event ? (event as { output: T }).output : undefined;
}

/**
 * An effect that failed because the run's workspace lease is gone (it threw an
 * error with code `lease_lost`): the run's to handle (it blocks `lease_lost`),
 * not the step's.
 */
export const leaseLost = ({ event }: { event: { type: string } }): boolean =>
  event.type.startsWith('xstate.error.actor.') && (event as { error?: { code?: unknown } }).error?.code === 'lease_lost';

/** The message of the error an effect failed with (its error event), or a fixed text when it has none. */
export function errorMessageOf(event: { type: string }): string {
  const error = (event as { error?: { message?: unknown } }).error;
  return typeof error?.message === 'string' ? error.message : 'the run lost its workspace lease';
}

/** The gate result a verification or review effect returned. */
export const gateOf = (event: { type: string }): GateResult | undefined => outputOf<GateResult>(event);

/**
 * The guards both charts ask of a gate result (named in each chart's `setup`).
 * A policy violation outranks the verdict: PASS and FAIL count only without one.
 */
export const gateGuards = {
  verificationSetupFailed: ({ event }: { event: { type: string } }) => gateOf(event)?.status === 'BLOCKED' && (gateOf(event)?.findings.some((f) => f.rule === 'setup_failed') ?? false),
  gatePassed: ({ event }: { event: { type: string } }) => gateOf(event)?.status === 'PASS' && gateOf(event)?.policyViolations.length === 0,
  gateFailed: ({ event }: { event: { type: string } }) => gateOf(event)?.status === 'FAIL' && gateOf(event)?.policyViolations.length === 0,
  policyViolated: ({ event }: { event: { type: string } }) => (gateOf(event)?.policyViolations.length ?? 0) > 0,
};

/** `total` plus one attempt's reported usage; `null` (not reported) counts as one unknown attempt. */
export function addedUsage(total: Usage, usage: Usage | null): Usage {
  if (usage === null) return { ...total, unknownAttempts: total.unknownAttempts + 1 };
  return {
    inputTokens: total.inputTokens + usage.inputTokens,
    outputTokens: total.outputTokens + usage.outputTokens,
    costUsd: total.costUsd + usage.costUsd,
    unknownAttempts: total.unknownAttempts + usage.unknownAttempts,
  };
}

type TaskList = readonly { readonly id: string }[];

/** Position of each task id in a run's task list, computed once per list (a run's list never changes). */
const slotMaps = new WeakMap<TaskList, ReadonlyMap<string, number>>();

/**
 * The run's per-task values (progress, epochs, gate summaries) are lists in the
 * order of its task list, so a change copies an array (microseconds at 10,000
 * tasks) instead of an object keyed by id (milliseconds). -1: not a task of the run.
 */
export function slotOf(tasks: TaskList, id: string): number {
  let map = slotMaps.get(tasks);
  if (map === undefined || map.size !== tasks.length) {
    map = new Map(tasks.map((t, i) => [t.id, i]));
    slotMaps.set(tasks, map);
  }
  return map.get(id) ?? -1;
}

/** What a per-task list holds for `id`; undefined for an id that is not a task of the run. */
export function slotValue<T>(tasks: TaskList, values: readonly T[], id: string): T | undefined {
  const i = slotOf(tasks, id);
  return i < 0 ? undefined : values[i];
}

/** A copy of a per-task list with the named tasks' values replaced (an id not in the run changes nothing). */
export function withSlots<T>(tasks: TaskList, values: readonly T[], updates: Iterable<readonly [string, T]>): T[] {
  const next = values.slice();
  for (const [id, value] of updates) {
    const i = slotOf(tasks, id);
    if (i >= 0) next[i] = value;
  }
  return next;
}

/** The ids of the tasks that were spawned (a per-task epoch is set exactly for those). */
export function spawnedTaskIds(tasks: TaskList, epochs: readonly (number | null)[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < tasks.length; i++) if (epochs[i] !== null && epochs[i] !== undefined) ids.push((tasks[i] as { id: string }).id);
  return ids;
}
