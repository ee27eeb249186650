import { describe, expect, it } from 'vitest';
import { handoffMoved, moveAlreadyRecorded } from '../../src/engine/handoffCheck.js';

const handoff = { branch: 'buran/r1', commit: 'c'.repeat(40), tree: 't'.repeat(40), reportHash: 'sha256:x', pullRequest: null };

describe('handoffMoved', () => {
  it('is null while the branch points at the recorded commit', () => {
    expect(handoffMoved('r1', handoff, { commit: handoff.commit, tree: handoff.tree })).toBeNull();
  });

  it('is a handoff_moved blocker with both ids, whether the tree is the same, and the git command that restores the branch', () => {
    const moved = handoffMoved('r1', handoff, { commit: 'd'.repeat(40), tree: handoff.tree });
    expect(moved).toMatchObject({
      code: 'handoff_moved',
      details: { runId: 'r1', branch: 'buran/r1', recorded: { commit: handoff.commit, tree: handoff.tree }, current: { commit: 'd'.repeat(40), tree: handoff.tree }, sameTree: true },
      nextSafeAction: { command: 'buran report --run r1' },
    });
    expect(moved?.message).toContain(`git branch -f buran/r1 ${handoff.commit}`);
  });

  it('says deleted when the branch is gone, and leaves sameTree unknown for a run handed off before trees were recorded', () => {
    expect(handoffMoved('r1', handoff, null)).toMatchObject({ details: { current: null, sameTree: null } });
    expect(handoffMoved('r1', handoff, null)?.message).toContain('deleted');
    const { tree: _tree, ...old } = handoff;
    expect(handoffMoved('r1', old, { commit: 'd'.repeat(40), tree: 'u'.repeat(40) })?.details).toMatchObject({ recorded: { commit: handoff.commit, tree: null }, sameTree: null });
  });
});

describe('moveAlreadyRecorded', () => {
  it('is true only when the last handoff_moved note names the same current tip', () => {
    const moved = handoffMoved('r1', handoff, { commit: 'd'.repeat(40), tree: 'u'.repeat(40) });
    if (moved === null) throw new Error('expected a blocker');
    const note = (current: unknown) => ({ type: 'handoff_moved', data: { current } });
    expect(moveAlreadyRecorded([], moved)).toBe(false);
    expect(moveAlreadyRecorded([note(moved.details['current'])], moved)).toBe(true);
    expect(moveAlreadyRecorded([note(moved.details['current']), note(null)], moved)).toBe(false);
  });
});
