// A real run through the CLI whose worker starts and fails (a missing script is
// caught at preflight now, so the worker fails by itself): the worker's stderr
// and the folder of its logs are where people look.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agent, approvedRun, cleanup, git, packet } from '../engine/fixtures/project.js';
import { buranIn } from '../inspect/fixtures/cli.js';

afterAll(cleanup);

describe('a worker that fails shows its stderr and its logs', () => {
  it('run, status and report print the end of stderr.log and the attempt folder', async () => {
    const failing = "console.error('agent: cannot reach the model API (ECONNREFUSED 127.0.0.1:9)'); process.exit(2)";
    const { repo, project, runId } = await approvedRun(packet({ command: ['node', '-e', failing], limits: { maxAttempts: 1 } }));
    const run = await buranIn(repo, 'run', '--run', runId);
    expect(run.code).toBe(3);
    const folder = join(project.store.runDir(runId), 'attempts', 'alpha.a1');
    for (const text of [run.out, (await buranIn(repo, 'status', '--run', runId)).out, (await buranIn(repo, 'report', '--run', runId)).out]) {
      expect(text).toContain('retry_exhausted');
      expect(text).toContain('cannot reach the model API (ECONNREFUSED 127.0.0.1:9)');
      expect(text).toContain(folder);
    }
  }, 60_000);
});

describe('a handed-off run shows how to see its change', () => {
  it('the next safe action is the git diff of the run branch, and the report has the diff stat and the files of each task', async () => {
    const { repo, runId } = await approvedRun(packet({ tasks: ['alpha', 'beta'], command: agent('ok') }));
    const run = await buranIn(repo, 'run', '--run', runId);
    expect(run.code).toBe(0);
    const base = git(repo, 'rev-parse', 'main').trim();
    expect(run.out).toContain(`git diff ${base}...buran/${runId}`);
    const status = await buranIn(repo, 'status', '--run', runId);
    expect(status.out).toContain(`git log ${base}..buran/${runId}`);
    const report = (await buranIn(repo, 'report', '--run', runId)).out;
    expect(report).toContain('## Changes');
    expect(report).toMatch(/src\/alpha\.txt \| +1 \+/);
    expect(report).toContain('2 files changed, 2 insertions(+)');
    expect(report).toContain('- **alpha:** `src/alpha.txt`');
    expect(report).toContain('- **beta:** `src/beta.txt`');
  }, 60_000);
});
