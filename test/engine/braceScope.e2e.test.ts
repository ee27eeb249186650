// A brace scope end to end: the real engine, the command adapter running the
// fixture agent, and the built-in reviewer. The scope `src/*.{txt,md}` used to
// be read literally, so the agent's src/alpha.txt was out of scope in every
// fix round and the run blocked rounds later.
import { afterAll, describe, expect, it } from 'vitest';
import { agent, approvedRun, attemptIds, cleanup, git, packet } from './fixtures/project.js';

afterAll(cleanup);

describe('a brace scope', () => {
  it('lets a change matching one of its alternatives through review to handoff', async () => {
    const p = packet({ command: agent('ok') });
    const [task] = p.tasks;
    if (task === undefined) throw new Error('the fixture packet has a task');
    const { repo, project, runId } = await approvedRun({ ...p, tasks: [{ ...task, scope: ['src/*.{txt,md}'] }] });
    const result = await project.runner.drive(runId);
    expect(result.blocker).toBeNull();
    expect(result.status).toBe('handoff_ready');
    expect(git(repo, 'show', `buran/${runId}:src/alpha.txt`)).toContain('alpha.a1');
    // One attempt: review passed the first time, no fix round was spent on scope.
    expect(attemptIds(project, runId)).toHaveLength(1);
  }, 60_000);
});
