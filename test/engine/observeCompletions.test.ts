import { describe, expect, it } from 'vitest';
import type { TaskHistoryEntry } from '../../machines/task.types.js';
import { attemptsOf, observationsToSend } from '../../src/engine/observeCompletions.js';

function child(taskId: string, history: TaskHistoryEntry[], ingested: Record<string, string>, currentAttemptId: string | null, value: unknown = { working: 'passed' }) {
  return { snapshot: { value, context: { taskId, history, ingested, current: currentAttemptId === null ? null : { attemptId: currentAttemptId } } } };
}
const dispatched = (attemptId: string, epoch = 1): TaskHistoryEntry => ({ kind: 'dispatched', attemptId, number: Number(attemptId.slice(-1)), epoch });

describe('observationsToSend', () => {
  const children = {
    'task:alpha': child('alpha', [dispatched('alpha.a1')], { 'alpha.a1': 'sha256:one' }, 'alpha.a1'),
    'task:beta': child('beta', [dispatched('beta.a1'), dispatched('beta.a2', 2)], {}, 'beta.a2'),
  };

  it('lists every dispatched attempt with its task and epoch', () => {
    expect(attemptsOf(children)).toEqual([
      { childId: 'task:alpha', taskId: 'alpha', attemptId: 'alpha.a1', epoch: 1 },
      { childId: 'task:beta', taskId: 'beta', attemptId: 'beta.a1', epoch: 1 },
      { childId: 'task:beta', taskId: 'beta', attemptId: 'beta.a2', epoch: 2 },
    ]);
  });

  it('says nothing when every ingested completion is unchanged and the current attempt is not ingested yet', () => {
    expect(observationsToSend(children, [{ attemptId: 'alpha.a1', digest: 'sha256:one' }, { attemptId: 'beta.a2', digest: 'sha256:new' }])).toEqual([]);
  });

  it('reports a completion that changed after it was ingested', () => {
    expect(observationsToSend(children, [{ attemptId: 'alpha.a1', digest: 'sha256:two' }])).toEqual([
      { childId: 'task:alpha', event: { type: 'COMPLETION_OBSERVED', attemptId: 'alpha.a1', digest: 'sha256:two' } },
    ]);
  });

  it('stops reporting a changed completion once an operator decided after it was recorded; tells a held task once (it blocks when released)', () => {
    const seen = [{ attemptId: 'alpha.a1', digest: 'sha256:two' }];
    const conflict: TaskHistoryEntry = { kind: 'late_completion', attemptId: 'alpha.a1', digest: 'sha256:two' };
    const recordedOnly = { 'task:alpha': child('alpha', [dispatched('alpha.a1'), conflict], { 'alpha.a1': 'sha256:one' }, 'alpha.a1') };
    expect(observationsToSend(recordedOnly, seen)).toHaveLength(1);
    const decided = { 'task:alpha': child('alpha', [dispatched('alpha.a1'), conflict, { kind: 'grant', what: 'retry' }], { 'alpha.a1': 'sha256:one' }, 'alpha.a1') };
    expect(observationsToSend(decided, seen)).toEqual([]);
    const held = { 'task:alpha': child('alpha', [dispatched('alpha.a1')], { 'alpha.a1': 'sha256:one' }, 'alpha.a1', 'held') };
    expect(observationsToSend(held, seen)).toEqual([{ childId: 'task:alpha', event: { type: 'COMPLETION_OBSERVED', attemptId: 'alpha.a1', digest: 'sha256:two' } }]);
    const heldAndTold = { 'task:alpha': child('alpha', [dispatched('alpha.a1'), conflict], { 'alpha.a1': 'sha256:one' }, 'alpha.a1', 'held') };
    expect(observationsToSend(heldAndTold, seen)).toEqual([]);
  });

  it('reports a completion of an attempt the task moved on from, once', () => {
    const seen = [{ attemptId: 'beta.a1', digest: 'sha256:late' }];
    expect(observationsToSend(children, seen)).toEqual([
      { childId: 'task:beta', event: { type: 'COMPLETION_OBSERVED', attemptId: 'beta.a1', digest: 'sha256:late' } },
    ]);
    const recorded = {
      ...children,
      'task:beta': child('beta', [dispatched('beta.a1'), dispatched('beta.a2', 2), { kind: 'late_completion', attemptId: 'beta.a1', digest: 'sha256:late' }], {}, 'beta.a2'),
    };
    expect(observationsToSend(recorded, seen)).toEqual([]);
  });
});
