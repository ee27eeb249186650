// Verification judges what will be handed off: a clean checkout of the
// attempt's commit, not the worktree the worker left (ignored and untracked
// files it planted there take no part).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agent, approvedRun, cleanup, git, makeRepo, packet } from './fixtures/project.js';

afterAll(cleanup);

// Passes only where the ignored file `planted-pass` exists.
const NEEDS_PLANTED = ['node', '-e', "process.exit(require('node:fs').existsSync('planted-pass') ? 0 : 1)"];

describe('verification on a clean checkout', { timeout: 120_000 }, () => {
  it('an ignored file the worker planted does not make verification pass; the gate names the commit and tree it checked', async () => {
    const repo = makeRepo();
    writeFileSync(join(repo, '.gitignore'), 'planted-pass\n');
    git(repo, 'add', '.gitignore');
    git(repo, 'commit', '-q', '-m', 'ignore planted-pass');
    const { project, runId } = await approvedRun(packet({ command: agent('plant-ignored'), verify: [NEEDS_PLANTED], limits: { maxFixRounds: 0 } }), { repo });
    const result = await project.runner.drive(runId);

    expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('fix_exhausted');
    expect(result.blocker?.message).toContain('verification FAIL');
    const tip = git(repo, 'rev-parse', `buran-task/${runId}/alpha`).trim();
    const tree = git(repo, 'rev-parse', `buran-task/${runId}/alpha^{tree}`).trim();
    expect(result.blocker?.details).toMatchObject({ checked: { commit: tip, tree } });
  });
});
