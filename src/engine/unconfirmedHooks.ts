// What the run's last final-state hooks did not confirm (a cancel of queued
// attempts Redis never answered, a lease not released), read from its log: the
// `hook_failed` events since the run entered the state it is in. Pure.
import * as z from 'zod';
import { type NextSafeAction, NextSafeActionSchema } from '../domain/blockers.js';
import type { EventRecord } from '../domain/events.js';
import { HOOK_NAMES, type HookName } from './bindEffects.js';

/** One hook whose effect is not confirmed (`status --json`'s `unconfirmed`). */
export interface UnconfirmedHook {
  readonly hook: string;
  readonly code: string | null;
  readonly message: string;
  /** When it was recorded: the event's time. */
  readonly at: string;
  readonly nextSafeAction: NextSafeAction | null;
}

const HookFailedData = z.object({
  hook: z.string(),
  error: z.string(),
  code: z.string().nullable().optional(),
  nextSafeAction: NextSafeActionSchema.nullable().optional(),
});

/**
 * The hooks that failed since the run's last own transition and were not
 * confirmed since (`hook_confirmed`, a cancel asked again): the latest failure
 * of each, in log order. A hook runs when its state is entered, so a failure
 * before a later transition belongs to a state the run has left. An event whose
 * data does not have the recorded form is shown by its message alone rather
 * than dropped.
 * @example
 * unconfirmedHooks(await runner.events(runId)); // [{ hook: 'cancelWorkers', code: 'queue_unavailable', … }]
 */
export function unconfirmedHooks(events: readonly EventRecord[]): UnconfirmedHook[] {
  const since = events.findLastIndex((e) => e.type === 'transition');
  const open = new Map<string, UnconfirmedHook>();
  for (const e of events.slice(since + 1)) {
    const hook = typeof e.data['hook'] === 'string' ? e.data['hook'] : 'unknown';
    if (e.type === 'hook_confirmed') open.delete(hook);
    if (e.type !== 'hook_failed') continue;
    open.delete(hook); // the latest failure of a hook stands for it
    const data = HookFailedData.safeParse(e.data);
    open.set(hook, data.success ? { hook, code: data.data.code ?? null, message: data.data.error, at: e.ts, nextSafeAction: data.data.nextSafeAction ?? null } : { hook, code: null, message: 'a final-state hook failed (its event does not say how)', at: e.ts, nextSafeAction: null });
  }
  return [...open.values()];
}

/** The unconfirmed hooks buran can run again (the final-state hooks it knows), for a cancel repeated on a cancelled run. */
export function retriableHooks(events: readonly EventRecord[]): HookName[] {
  return unconfirmedHooks(events).flatMap((u) => HOOK_NAMES.filter((h) => h === u.hook));
}
