// buran prune on real repositories: a dry run by default, handoff branches
// kept unless asked, blocked runs left alone.
import { afterAll, describe, expect, it } from 'vitest';
import { agent, approvedRun, cleanup, git, makeRepo, packet } from '../engine/fixtures/project.js';
import { buranIn } from '../inspect/fixtures/cli.js';

afterAll(cleanup);

const branches = (repo: string) => git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/').trim().split('\n').sort();

describe('buran prune', () => {
  it('lists, then removes, the branches and worktrees of finished runs; keeps handoff branches unless --include-handoff; leaves blocked runs alone', async () => {
    const repo = makeRepo();
    const done = await approvedRun(packet({ command: agent('ok'), id: 'done' }), { repo, name: 'done.json' });
    expect((await buranIn(repo, 'run', '--run', done.runId)).code).toBe(0);
    const stopped = await approvedRun(packet({ command: agent('exit3'), id: 'stopped', limits: { maxAttempts: 1 } }), { repo, name: 'stopped.json' });
    expect((await buranIn(repo, 'run', '--run', stopped.runId)).code).toBe(3);
    expect((await buranIn(repo, 'unblock', '--run', stopped.runId, '--decision', 'cancel')).code).toBe(0);
    const blocked = await approvedRun(packet({ command: agent('exit3'), id: 'blocked', limits: { maxAttempts: 1 } }), { repo, name: 'blocked.json' });
    expect((await buranIn(repo, 'run', '--run', blocked.runId)).code).toBe(3);
    const before = branches(repo);
    expect(before).toEqual(expect.arrayContaining([`buran/${done.runId}`, `buran-task/${done.runId}/alpha`, `buran/${stopped.runId}`, `buran/${blocked.runId}`]));

    const dry = await buranIn(repo, 'prune');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`would delete branch buran-task/${done.runId}/alpha`);
    expect(dry.out).toContain(`kept handoff branch buran/${done.runId} (--include-handoff to delete it)`);
    expect(dry.out).toContain(`would delete branch buran/${stopped.runId}`);
    expect(dry.out).not.toContain(blocked.runId);
    expect(dry.out).toContain('dry run: nothing was removed');
    expect(branches(repo)).toEqual(before);

    const json = JSON.parse((await buranIn(repo, 'prune', '--yes', '--json')).out) as { dryRun: boolean; runs: { runId: string; branches: string[]; keptHandoff: string | null }[] };
    expect(json.dryRun).toBe(false);
    expect(json.runs.map((r) => r.runId)).toEqual([done.runId, stopped.runId]);
    const after = branches(repo);
    expect(after).toContain(`buran/${done.runId}`);
    expect(after).toContain(`buran/${blocked.runId}`);
    expect(after.filter((b) => b.includes(stopped.runId))).toEqual([]);
    expect(after).not.toContain(`buran-task/${done.runId}/alpha`);
    expect(git(repo, 'worktree', 'list')).not.toContain(stopped.runId);

    expect((await buranIn(repo, 'prune', '--yes', '--include-handoff')).out).toContain(`deleted branch buran/${done.runId}`);
    expect(branches(repo)).not.toContain(`buran/${done.runId}`);
    expect((await buranIn(repo, 'prune')).out).toContain('nothing to prune');
  }, 120_000);
});
