// A chart whose abstract state space explodes must make the model walk fail,
// not hang: the path search is synchronous, so a test timeout cannot stop it.
import { assign, createMachine, type EventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { MAX_ABSTRACT_STATES, walk } from './support/walk.js';

/** A counter that never stops growing: every count is a new abstract state. */
const unbounded = createMachine({
  types: {} as { context: { n: number } },
  context: { n: 0 },
  on: { UP: { actions: assign({ n: ({ context }) => context.n + 1 }) }, UP2: { actions: assign({ n: ({ context }) => context.n + 2 }) } },
});

const spec = (kind: 'shortest' | 'simple') => ({
  machine: unbounded,
  kind,
  input: undefined,
  key: (s: { context: { n: number } }) => String(s.context.n),
  events: (): EventObject[] => [{ type: 'UP' }, { type: 'UP2' }],
  allEvents: [{ type: 'UP' }, { type: 'UP2' }],
  invariants: () => [],
});

describe('the model walk is bounded', () => {
  for (const kind of ['shortest', 'simple'] as const) {
    it(`stops the ${kind} path search of an exploding chart with a violation (more than ${MAX_ABSTRACT_STATES} abstract states)`, () => {
      const result = walk(spec(kind));
      expect(result.violations).toHaveLength(1);
      expect(result.violations[0]).toContain(`the ${kind} path search stopped`);
      expect(result.steps).toBe(0);
    }, 120_000);
  }
});
