// The commits a run makes are the user's, and each names its run in a trailer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { userIdentity } from '../../src/workspace/git.js';
import { agent, approvedRun, cleanup, git, makeRepo, packet } from './fixtures/project.js';

afterAll(cleanup);

/** `author|Buran-Run values` of every commit buran made on the run branch. */
const commitsOf = (repo: string, runId: string) =>
  git(repo, 'log', '--format=%an <%ae>|%cn <%ce>|%(trailers:key=Buran-Run,valueonly,separator=%x2C)', `main..buran/${runId}`)
    .trim()
    .split('\n');

describe('commit identity', () => {
  it("uses the repository's git identity, with a Buran-Run trailer on every commit and merge", async () => {
    const repo = makeRepo();
    git(repo, 'config', 'user.name', 'Ada Lovelace');
    git(repo, 'config', 'user.email', 'ada@example.com');
    const { project, runId } = await approvedRun(packet({ command: agent('ok') }), { repo });
    expect((await project.runner.drive(runId)).status).toBe('handoff_ready');
    const commits = commitsOf(repo, runId);
    expect(commits.length).toBeGreaterThanOrEqual(2);
    for (const c of commits) expect(c).toBe(`Ada Lovelace <ada@example.com>|Ada Lovelace <ada@example.com>|${runId}`);
  }, 60_000);

  it('uses commits.author from .buran/config.json over the git identity', async () => {
    const repo = makeRepo();
    git(repo, 'config', 'user.name', 'Ada Lovelace');
    git(repo, 'config', 'user.email', 'ada@example.com');
    writeFileSync(join(repo, '.buran', 'config.json'), JSON.stringify({ schema: 'buran.config/v1', sandbox: { mode: 'none' }, commits: { author: { name: 'Release Bot', email: 'bot@example.com' } } }));
    const { project, runId } = await approvedRun(packet({ command: agent('ok') }), { repo });
    expect((await project.runner.drive(runId)).status).toBe('handoff_ready');
    for (const c of commitsOf(repo, runId)) expect(c).toBe(`Release Bot <bot@example.com>|Release Bot <bot@example.com>|${runId}`);
  }, 60_000);

  it('reads no identity where git has none (the run then falls back to buran <buran@localhost>)', async () => {
    const repo = makeRepo();
    const home = mkdtempSync(join(tmpdir(), 'buran-home-'));
    const bare = { ...process.env, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
    expect(await userIdentity(repo, bare)).toBeNull();
    git(repo, 'config', 'user.name', 'Ada Lovelace');
    expect(await userIdentity(repo, bare)).toBeNull();
    git(repo, 'config', 'user.email', 'ada@example.com');
    expect(await userIdentity(repo, bare)).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
  });
});
