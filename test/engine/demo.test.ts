// End to end on real parts: a temp git repo, the command adapter running the
// scripted agent under the supervisor, `node --test` as verification, the
// built-in reviewer, worktrees and merges.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/engine/demo.js';

describe('the demo run', () => {
  it('takes a two-task run through a failed verification and a fix round to handoff, with both epochs in the history', async () => {
    const demo = await runDemo();
    expect(demo.result.blocker).toBeNull();
    expect(demo.result.status).toBe('handoff_ready');
    const helper = demo.report.tasks.find((t) => t.id === 'greeting-helper');
    expect(helper?.epoch).toBe(2);
    expect(helper?.gates.map((g) => `${g.gate}@${g.epoch}:${g.status}`)).toEqual(['verification@1:FAIL', 'verification@2:PASS', 'review@2:PASS']);
    const cli = demo.report.tasks.find((t) => t.id === 'cli-uses-greeting');
    expect(cli?.epoch).toBe(1);
    // The handoff branch exists in the user's repo and carries the work; the user's checkout is untouched.
    const branch = `buran/${demo.runId}`;
    const log = execFileSync('git', ['log', '--format=%s', branch], { cwd: demo.repo, encoding: 'utf8' });
    expect(log).toContain('greeting-helper');
    const show = execFileSync('git', ['show', `${branch}:src/cli.js`], { cwd: demo.repo, encoding: 'utf8' });
    expect(show).toContain("import { greet } from './greet.js'");
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: demo.repo, encoding: 'utf8' })).toBe('');
    expect(execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: demo.repo, encoding: 'utf8' }).trim()).toBe('main');
  }, 120_000);
});
