import { describe, expect, it } from 'vitest';
import { makespanBudgetMs, ratiosWithOverhead } from '../../../scripts/bench/floor.js';
import { MAKESPAN_TARGETS, makespanInstances } from '../../../scripts/bench/makespan.js';

describe('the makespan budget of the floor section', () => {
  const instances = makespanInstances(20_261_205, 6);

  it('zero overhead is the list schedule itself: every ratio at least 1', () => {
    const r = ratiosWithOverhead(instances, 0);
    expect(r.median).toBeGreaterThanOrEqual(1);
    expect(r.worst).toBeGreaterThanOrEqual(r.median);
  });

  it('ratios grow with the overhead a task adds', () => {
    const low = ratiosWithOverhead(instances, 100);
    const high = ratiosWithOverhead(instances, 400);
    expect(high.median).toBeGreaterThan(low.median);
    expect(high.worst).toBeGreaterThan(low.worst);
  });

  it('the budget meets both bounds and 10 ms more misses one', () => {
    const budget = makespanBudgetMs(20_261_205, 6);
    expect(budget).toBeGreaterThanOrEqual(0);
    const at = ratiosWithOverhead(instances, budget);
    expect(at.median).toBeLessThanOrEqual(MAKESPAN_TARGETS.medianRatio);
    expect(at.worst).toBeLessThanOrEqual(MAKESPAN_TARGETS.worstRatio);
    const past = ratiosWithOverhead(instances, budget + 10);
    expect(past.median > MAKESPAN_TARGETS.medianRatio || past.worst > MAKESPAN_TARGETS.worstRatio).toBe(true);
  });
});
