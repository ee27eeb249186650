// The run's status comes from the chart's `status:` tags: every state of the
// run chart has one (itself or an ancestor), and each reads as its name says.
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { runChart } from '../../machines/run.machine.js';
import { listStatePaths } from '../../src/export/describeChart.js';
import { statusOf } from '../../src/engine/runStatus.js';

/** The state value of a dotted path (`active.waiting` → { active: 'waiting' }). */
const valueOf = (path: string): unknown => path.split('.').reduceRight<unknown>((inner, key) => (inner === null ? key : { [key]: inner }), null);

describe('statusOf reads the run chart\'s status tags', () => {
  it('every state of the run chart has a status', () => {
    const paths = listStatePaths(runChart).filter((p) => !p.endsWith('.hist'));
    expect(paths.length).toBeGreaterThan(15);
    for (const path of paths) expect(() => statusOf({ value: valueOf(path), context: {} }), path).not.toThrow();
  });

  it('reads each stage as its status', () => {
    const cases: [string, string][] = [
      ['active.intake', 'queued'],
      ['active.queued', 'queued'],
      ['active.prerequisites', 'queued'],
      ['active.waiting', 'waiting'],
      ['active.preflight', 'running'],
      ['active.implementing', 'running'],
      ['active.handoff', 'running'],
      ['reclaiming', 'running'],
      ['paused', 'paused'],
      ['blocked', 'blocked'],
      ['readyForReview', 'handoff_ready'],
      ['cancelled', 'cancelled'],
      ['failed', 'failed'],
    ];
    for (const [path, status] of cases) expect(statusOf({ value: valueOf(path), context: {} }), path).toBe(status);
  });

  it('agrees with the running chart: the state reads the status its tag says', () => {
    const actor = createActor(runChart, { input: { runId: 'r', approvedHash: `sha256:${'a'.repeat(64)}`, tasks: [], limits: { maxAttempts: 1, maxFixRounds: 1, maxDispatches: 1, taskTimeoutSec: 60, heartbeatTimeoutSec: 10, concurrency: 1 }, deadlineAt: null } });
    const snap = actor.getSnapshot();
    expect(snap.hasTag('status:queued')).toBe(true);
    expect(statusOf(snap)).toBe('queued');
  });

  it('a state without a tag is a broken chart, not a guess', () => {
    expect(() => statusOf({ value: 'nowhere', context: {} })).toThrow(/no status tag/);
  });
});
