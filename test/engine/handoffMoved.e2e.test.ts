// A handoff nobody can swap: the run branch's tip commit and tree are recorded
// at handoff, and `status`, `report` and a later `run` compare the branch with
// them. Real temp git repositories, the real engine, the CLI in process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { agent, approvedRun, cleanup, git, packet } from './fixtures/project.js';

afterAll(cleanup);

function capture(): Io & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l), exit: () => undefined };
}

/** `buran <args>` in process, run from `cwd`: its exit code and output. */
async function buran(cwd: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const io = capture();
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(['node', 'buran', ...args], io);
    return { code, out: io.lines.join('\n') };
  } finally {
    process.chdir(before);
  }
}

/** A run driven to handoff: its repo, project, id, branch and the recorded commit. */
async function handedOff() {
  const { repo, project, runId } = await approvedRun(packet({ command: agent('ok') }));
  const result = await project.runner.drive(runId);
  expect(result.status).toBe('handoff_ready');
  const handoff = result.snapshot.context.handoff;
  if (handoff === null) throw new Error('no handoff recorded');
  return { repo, project, runId, handoff, branch: handoff.branch };
}

/** A new commit on top of `parent` with the same tree, or `tree` when given, without any worktree. */
function commitOn(repo: string, parent: string, message: string, tree = git(repo, 'rev-parse', `${parent}^{tree}`).trim()): string {
  return git(repo, 'commit-tree', tree, '-p', parent, '-m', message).trim();
}

const eventsOf = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });

// Each test drives a real run and several CLI commands: allow for a busy machine.
const SLOW = 120_000;

describe('the handoff is the recorded commit', () => {
  it('records the run branch tip commit and its tree at handoff, and reports both', async () => {
    const { repo, project, runId, handoff, branch } = await handedOff();
    expect(handoff.commit).toBe(git(repo, 'rev-parse', `refs/heads/${branch}`).trim());
    expect(handoff.tree).toBe(git(repo, 'rev-parse', `refs/heads/${branch}^{tree}`).trim());
    const status = await buran(repo, 'status', '--run', runId, '--json', '--exit-status');
    expect(status.code).toBe(0);
    expect(StatusJsonSchema.parse(JSON.parse(status.out)).status).toBe('handoff_ready');
    const report = JSON.parse((await buran(repo, 'report', '--run', runId, '--format', 'json')).out) as Record<string, unknown>;
    expect(report).toMatchObject({ status: 'handoff_ready', handoffCommit: handoff.commit, handoffTree: handoff.tree, blocker: null });
    expect((await project.runner.drive(runId)).status).toBe('handoff_ready');
  }, SLOW);

  it('a new commit on the branch after handoff: status and report say blocked with handoff_moved and both ids; run exits 3; nothing stored is rewritten', async () => {
    const { repo, project, runId, handoff, branch } = await handedOff();
    const runDir = project.store.runDir(runId);
    const snapshotBefore = readFileSync(join(runDir, 'snapshot.json'), 'utf8');
    const eventsBefore = readFileSync(join(runDir, 'events.jsonl'), 'utf8');
    const tree = git(repo, 'mktree').trim(); // the empty tree: everything deleted
    const moved = commitOn(repo, handoff.commit, 'slipped in after review', tree);
    git(repo, 'update-ref', `refs/heads/${branch}`, moved);

    const status = await buran(repo, 'status', '--run', runId, '--json', '--exit-status');
    expect(status.code).toBe(3);
    const json = StatusJsonSchema.parse(JSON.parse(status.out));
    expect(json).toMatchObject({ status: 'blocked', stage: 'readyForReview' });
    expect(json.blocker?.code).toBe('handoff_moved');
    expect(json.blocker?.details).toMatchObject({ branch, recorded: { commit: handoff.commit, tree: handoff.tree }, current: { commit: moved, tree }, sameTree: false });
    expect(json.nextSafeAction).toEqual(json.blocker?.nextSafeAction);

    const text = await buran(repo, 'status', '--run', runId, '--exit-status');
    expect(text.code).toBe(3);
    expect(text.out).toContain('handoff_moved');
    expect(text.out).toContain(handoff.commit);
    expect(text.out).toContain(moved);

    const report = JSON.parse((await buran(repo, 'report', '--run', runId, '--format', 'json')).out) as { status: string; handoffCommit: string; blocker: { code: string; details: Record<string, unknown> } | null };
    expect(report.status).toBe('blocked');
    expect(report.handoffCommit).toBe(handoff.commit);
    expect(report.blocker?.code).toBe('handoff_moved');
    expect(report.blocker?.details['current']).toEqual({ commit: moved, tree });
    const markdown = await buran(repo, 'report', '--run', runId);
    expect(markdown.code).toBe(0);
    expect(markdown.out).toContain('**handoff_moved**');

    // Readers report, they do not repair: the run folder is byte for byte as it was.
    expect(readFileSync(join(runDir, 'snapshot.json'), 'utf8')).toBe(snapshotBefore);
    expect(readFileSync(join(runDir, 'events.jsonl'), 'utf8')).toBe(eventsBefore);

    // A driver notes the move once (per new tip) in the log and exits 3; the state stays readyForReview.
    const run = await buran(repo, 'run', '--run', runId);
    expect(run.code).toBe(3);
    expect(run.out).toContain('blocked: handoff_moved');
    expect((await buran(repo, 'run', '--run', runId)).code).toBe(3);
    const notes = eventsOf(join(runDir, 'events.jsonl')).filter((e) => e.type === 'handoff_moved');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.data).toMatchObject({ branch, recorded: { commit: handoff.commit }, current: { commit: moved } });
    const view = await project.runner.inspect(runId);
    expect(view.stage).toBe('readyForReview');
    expect(view.snapshot.context.handoff?.commit).toBe(handoff.commit);

    // Put back on the recorded commit, the handoff stands again.
    git(repo, 'update-ref', `refs/heads/${branch}`, handoff.commit);
    expect((await buran(repo, 'status', '--run', runId, '--json', '--exit-status')).code).toBe(0);
    expect((await buran(repo, 'run', '--run', runId)).code).toBe(0);
  }, SLOW);

  it('a reset, a rewritten history with the same tree, and a deleted branch are each handoff_moved', async () => {
    const { repo, project, runId, handoff, branch } = await handedOff();
    // Reset to the base commit.
    const base = git(repo, 'rev-parse', 'main').trim();
    git(repo, 'update-ref', `refs/heads/${branch}`, base);
    let view = await project.runner.inspect(runId);
    expect(view.status).toBe('blocked');
    expect(view.blocker?.details).toMatchObject({ current: { commit: base }, sameTree: false });

    // A force-push style rewrite: another commit with the very same tree.
    const parent = git(repo, 'rev-parse', `${handoff.commit}^`).trim();
    const rewritten = commitOn(repo, parent, 'same content, new message', handoff.tree);
    git(repo, 'update-ref', `refs/heads/${branch}`, rewritten);
    view = await project.runner.inspect(runId);
    expect(view.blocker?.code).toBe('handoff_moved');
    expect(view.blocker?.details).toMatchObject({ current: { commit: rewritten, tree: handoff.tree }, sameTree: true });
    expect(view.blocker?.message).toContain('same tree');

    // Deleted.
    git(repo, 'update-ref', '-d', `refs/heads/${branch}`);
    const status = await buran(repo, 'status', '--run', runId, '--json', '--exit-status');
    expect(status.code).toBe(3);
    const json = StatusJsonSchema.parse(JSON.parse(status.out));
    expect(json.blocker?.code).toBe('handoff_moved');
    expect(json.blocker?.details).toMatchObject({ recorded: { commit: handoff.commit }, current: null });
    expect(json.blocker?.message).toContain('deleted');
    const run = await project.runner.drive(runId);
    expect(run.status).toBe('blocked');
    expect(run.blocker?.code).toBe('handoff_moved');
    const notes = eventsOf(join(project.store.runDir(runId), 'events.jsonl')).filter((e) => e.type === 'handoff_moved');
    expect(notes.map((e) => e.data['current'])).toEqual([null]);
  }, SLOW);
});
