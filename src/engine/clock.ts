/** Time source of the engine; tests inject their own. Milliseconds since the epoch. */
export interface Clock {
  now(): number;
}
/**
 * The wall clock (milliseconds since the epoch). Tests and hosts that replay pass their own `Clock`.
 * @example
 * createRunner({ store, locks, effectsFor, clock: systemClock });
 */
export const systemClock: Clock = { now: () => Date.now() };
