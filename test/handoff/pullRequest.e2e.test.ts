// Pull requests at handoff, end to end: a real repository whose origin is a
// GitHub URL rewritten (url.<path>.insteadOf) to a local bare repository, the
// real engine, and a stand-in `gh` on PATH that keeps its pull requests in a file.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CrashPoint } from '../../src/chaos/crashPoints.js';
import { base64Forms } from '../../src/domain/redact.js';
import { openProject } from '../../src/engine/project.js';
import { agent, cleanup, git, makeRepo, packet, writePacket } from '../engine/fixtures/project.js';

afterAll(cleanup);

const FAKE_GH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'gh');
const GITHUB_URL = 'https://github.com/acme/widgets.git';

interface FakeGhState {
  readonly prs: { number: number; url: string; head: string; base: string; title: string; body: string }[];
  readonly calls: string[][];
}

/** A repo with `origin` → acme/widgets (really a bare repo next to it), and `.buran/config.json` with the given PR policy. */
function setup(pullRequest: { enabled: boolean; repos: string[] } | null) {
  const repo = makeRepo();
  const bare = `${repo}-origin.git`;
  git(repo, 'init', '-q', '--bare', bare);
  git(repo, 'remote', 'add', 'origin', GITHUB_URL);
  git(repo, 'config', `url.${bare}.insteadOf`, GITHUB_URL);
  if (pullRequest !== null) {
    mkdirSync(join(repo, '.buran'), { recursive: true });
    writeFileSync(join(repo, '.buran', 'config.json'), JSON.stringify({ schema: 'buran.config/v1', policy: { pullRequest } }));
  }
  const stateFile = join(repo, '..', `${repo.split('/').at(-1) ?? 'x'}-gh.json`);
  return { repo, bare, stateFile };
}

async function start(repo: string, stateFile: string, mode = 'ok', extraEnv: Record<string, string> = {}, crash?: CrashPoint) {
  const env = { ...process.env, PATH: `${FAKE_GH_DIR}:${process.env['PATH'] ?? ''}`, FAKE_GH_STATE: stateFile, FAKE_GH_MODE: mode, ...extraEnv };
  const project = await openProject({ cwd: repo, env, ...(crash === undefined ? {} : { crash }) });
  const packetFile = writePacket(repo, { ...packet({ command: agent('ok') }), base: 'main' });
  const { runId } = await project.approve(packetFile, 'tester');
  return { project, runId };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const ghState = (file: string): FakeGhState => JSON.parse(readFileSync(file, 'utf8')) as FakeGhState;

describe('pull requests at handoff', () => {
  it('are off by default: handoff is the local branch and gh is never called', async () => {
    const { repo, stateFile } = setup(null);
    const { project, runId } = await start(repo, stateFile);
    const result = await project.runner.drive(runId);
    expect(result.status).toBe('handoff_ready');
    expect(result.snapshot.context.handoff?.pullRequest).toBeNull();
    expect(existsSync(stateFile)).toBe(false);
  });

  it('when enabled for the origin repository: pushes the run branch, records the intent, opens one pull request with the report as body', async () => {
    const { repo, bare, stateFile } = setup({ enabled: true, repos: ['acme/widgets'] });
    const { project, runId } = await start(repo, stateFile);
    const result = await project.runner.drive(runId);
    expect(result.blocker).toBeNull();
    expect(result.status).toBe('handoff_ready');
    const handoff = result.snapshot.context.handoff;
    expect(handoff?.pullRequest).toBe('https://github.com/acme/widgets/pull/1');
    expect(git(bare, 'rev-parse', `refs/heads/buran/${runId}`).trim()).toBe(handoff?.commit);
    const state = ghState(stateFile);
    expect(state.prs).toHaveLength(1);
    expect(state.prs[0]).toMatchObject({ head: `buran/${runId}`, base: 'main', title: 'Fixture work' });
    expect(state.prs[0]?.body).toContain(runId);
    expect(state.calls.map((c) => c.slice(0, 2).join(' '))).toEqual(['pr list', 'pr create']);
    const intent = JSON.parse(readFileSync(join(project.store.runDir(runId), 'handoff', 'pull-request-intent.json'), 'utf8')) as Record<string, unknown>;
    expect(intent).toMatchObject({ repo: 'acme/widgets', branch: `buran/${runId}`, base: 'main' });
  });

  it('a create that worked but reported failure blocks with handoff_failed; the retry updates that pull request instead of opening a second', async () => {
    const { repo, stateFile } = setup({ enabled: true, repos: ['acme/widgets'] });
    const { project, runId } = await start(repo, stateFile, 'create-fails-after-creating');
    const first = await project.runner.drive(runId);
    expect(first.status).toBe('blocked');
    expect(first.blocker?.code).toBe('handoff_failed');
    expect(first.blocker?.message).toContain('gh pr create failed');
    expect(first.nextSafeAction.text).not.toBe('');

    await project.runner.command(runId, { type: 'UNBLOCK', decision: 'retry', by: 'tester', reason: 'network is back' });
    const done = await project.runner.drive(runId);
    expect(done.status).toBe('handoff_ready');
    expect(done.snapshot.context.handoff?.pullRequest).toBe('https://github.com/acme/widgets/pull/1');
    const state = ghState(stateFile);
    expect(state.prs).toHaveLength(1);
    expect(state.calls.map((c) => c.slice(0, 2).join(' '))).toEqual(['pr list', 'pr create', 'pr list', 'pr edit']);
  });

  it('a repository outside policy.pullRequest.repos is refused before anything leaves the machine (handoff_failed)', async () => {
    const { repo, bare, stateFile } = setup({ enabled: true, repos: ['acme/other'] });
    const { project, runId } = await start(repo, stateFile);
    const result = await project.runner.drive(runId);
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('handoff_failed');
    expect(result.blocker?.message).toContain('acme/widgets is not in policy.pullRequest.repos');
    expect(existsSync(stateFile)).toBe(false);
    expect(git(bare, 'branch', '--list')).toBe('');
  });

  it('an origin whose pushes go elsewhere (remote.origin.pushurl) is refused: the allowlist checked the fetch URL', async () => {
    const { repo, stateFile } = setup({ enabled: true, repos: ['acme/widgets'] });
    const elsewhere = `${repo}-elsewhere.git`;
    git(repo, 'init', '-q', '--bare', elsewhere);
    git(repo, 'config', 'remote.origin.pushurl', elsewhere);
    const { project, runId } = await start(repo, stateFile);
    const result = await project.runner.drive(runId);
    expect(result.blocker?.code).toBe('handoff_failed');
    expect(result.blocker?.message).toContain('not where it fetches from');
    expect(git(elsewhere, 'branch', '--list')).toBe('');
    expect(existsSync(stateFile)).toBe(false);
  });

  it('a gh failure that prints the runner\'s token (as is and base64-encoded) is recorded and reported redacted', async () => {
    const { repo, stateFile } = setup({ enabled: true, repos: ['acme/widgets'] });
    const token = 'handoff-test-gh-token-0123456789abcdef';
    const { project, runId } = await start(repo, stateFile, 'leak', { GH_TOKEN: token });
    const result = await project.runner.drive(runId);
    expect(result.blocker?.code).toBe('handoff_failed');
    expect(result.blocker?.message).toContain('gh pr list failed');
    expect(result.blocker?.message).toContain('[redacted]');
    const forms = [token, ...base64Forms(`x-access-token:${token}`)];
    const leaked = (text: string) => forms.filter((form) => text.includes(form));
    expect(leaked(JSON.stringify(result.blocker))).toEqual([]);
    // Nothing the run stored (events, snapshot, artifacts, handoff files) holds it either.
    for (const file of filesUnder(project.store.runDir(runId))) expect(leaked(readFileSync(file, 'utf8')), file).toEqual([]);
    const status = await project.runner.inspect(runId);
    expect(leaked(JSON.stringify(status.blocker))).toEqual([]);
  });

  it('pushes the commit recorded at handoff by id, not what the branch points at by push time; the moved branch is then handoff_moved', async () => {
    const { repo, bare, stateFile } = setup({ enabled: true, repos: ['acme/widgets'] });
    let slipped: string | null = null;
    // Between recording the handoff (report stored) and the push, something moves the local run branch.
    const moveBranch: CrashPoint = (name) => {
      if (name !== 'handoff.after-report' || slipped !== null) return;
      const branch = git(repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/buran/').trim();
      const tip = git(repo, 'rev-parse', branch).trim();
      slipped = git(repo, 'commit-tree', git(repo, 'mktree').trim(), '-p', tip, '-m', 'slipped in before the push').trim();
      git(repo, 'update-ref', branch, slipped);
    };
    const { project, runId } = await start(repo, stateFile, 'ok', {}, moveBranch);
    const result = await project.runner.drive(runId);
    const handoff = result.snapshot.context.handoff;
    expect(slipped).not.toBeNull();
    expect(handoff?.commit).not.toBe(slipped);
    expect(git(bare, 'rev-parse', `refs/heads/buran/${runId}`).trim()).toBe(handoff?.commit);
    expect(ghState(stateFile).prs).toHaveLength(1);
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('handoff_moved');
    expect(result.blocker?.details).toMatchObject({ recorded: { commit: handoff?.commit }, current: { commit: slipped } });
  });
});
