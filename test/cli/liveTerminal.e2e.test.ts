// `buran run` in a real terminal (tmux): the live view at 80 and 200 columns
// shows both running tasks, one header, no wrapped or repeated lines, leaves
// nothing behind when the run ends, and Ctrl-C says how to re-attach or cancel.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runLockHolder } from '../../src/store/runLock.js';
import { approvedRun, cleanup, makeRepo, packet, runProcesses, waitFor } from '../engine/fixtures/project.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `buran-live-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI = resolve('test/cli/fixtures/buran.ts');
const AGENT = resolve('test/cli/fixtures/chatty-agent.mjs');

/** Start `buran run --run <runId>` in a detached tmux session of the given size; the shell prints EXIT=<status> when it ends. */
function runInTerminal(name: string, repo: string, runId: string, columns: number): void {
  // The shell traps SIGINT (a handler, not ignore: the CLI gets the default) so it lives on to print the exit status.
  const command = `trap : INT; cd '${repo}' && node --import '${loader}' '${CLI}' run --run ${runId}; echo EXIT=$?; sleep 600`;
  tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', '24', 'sh', '-c', command);
}

const screen = (name: string): string[] => tmux('capture-pane', '-p', '-t', name).split('\n');
/** Whether the pane shows its cursor (a live view that ended badly leaves it hidden). */
const cursorShown = (name: string): boolean => tmux('display-message', '-p', '-t', name, '#{cursor_flag}').trim() === '1';

/** The pane once the shell printed the CLI's exit status. */
const afterExit = (name: string): Promise<string[]> =>
  waitFor('the exit status', () => {
    const lines = screen(name);
    return lines.some((l) => l.startsWith('EXIT=')) ? lines : null;
  }, 30_000);


afterEach(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
});
afterAll(cleanup);

async function twoTasksWorking(runMs: number) {
  const repo = makeRepo({ sandbox: 'none' });
  return approvedRun(packet({ tasks: ['alpha', 'beta'], command: ['node', AGENT, String(runMs)], limits: { concurrency: 2 } }), { repo });
}

/** The pane once both tasks show their worker's output. */
async function whileBothWork(name: string): Promise<string[]> {
  return waitFor(
    'both tasks working with output on screen',
    () => {
      const lines = screen(name);
      const working = lines.filter((l) => /^ {2}(alpha|beta) +agent working \d+s · heartbeat \d+s ago · step \d+ of/.test(l));
      return working.length === 2 ? lines : null;
    },
    30_000,
    100,
  );
}

/** No line wider than the pane, one header, one line per task: what wrapping or a bad redraw would break. */
function expectOneCleanBlock(lines: readonly string[], columns: number): void {
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns - 3);
  expect(lines.filter((l) => /^\d+ of 2 tasks done · run \d+s/.test(l))).toHaveLength(1);
  expect(lines.filter((l) => l.startsWith('  alpha '))).toHaveLength(1);
  expect(lines.filter((l) => l.startsWith('  beta '))).toHaveLength(1);
  // A wrapped line would leave its rest on the next row, starting with what was cut.
  expect(lines.filter((l) => l.includes('before writing') && !/^ {2}(alpha|beta) /.test(l))).toEqual([]);
}

describe.skipIf(!hasTmux)('buran run in a terminal', () => {
  it('at 80 columns: two running tasks cut to the width, redrawn in place; Ctrl-C prints what runs and the commands, exit 130', async () => {
    const { repo, runId } = await twoTasksWorking(60_000);
    runInTerminal('narrow', repo, runId, 80);
    const first = await whileBothWork('narrow');
    expectOneCleanBlock(first, 80);
    expect(first.filter((l) => l.startsWith('  alpha ')).every((l) => l.endsWith('…'))).toBe(true);
    // Later redraws replace the block instead of adding to it.
    await new Promise((r) => setTimeout(r, 1_500));
    expectOneCleanBlock(await whileBothWork('narrow'), 80);

    tmux('send-keys', '-t', 'narrow', 'C-c');
    const after = await afterExit('narrow');
    const text = after.join('\n');
    expect(after).toContain(`interrupted: buran stopped driving run ${runId}.`);
    expect(after).toContain('Everything it did is recorded and the run lock is released.');
    expect(after).toContain('0 of 2 tasks done. Still running, without this process:');
    expect(text).toMatch(/ {2}alpha: agent working \d+s, attempt alpha\.a1, worker pid \d+/);
    expect(text).toMatch(/ {2}beta: agent working \d+s, attempt beta\.a1, worker pid \d+/);
    expect(text).toContain(`re-attach: buran run --run ${runId}`);
    expect(text).toContain(`cancel:    buran cancel --run ${runId}`);
    expect(after).toContain('EXIT=130');
    expect(text).not.toMatch(/tasks done · run/);
    expect(cursorShown('narrow')).toBe(true);
    // The workers were left running, as the message says; the driver let go of the run.
    expect(runProcesses(runId).length).toBeGreaterThan(0);
    // No lock file left: the next `buran run` takes the lock without a takeover.
    expect(existsSync(join(repo, '.buran', 'runs', runId, 'lock'))).toBe(false);
  }, 90_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s: the cursor comes back, the same lines as Ctrl-C, the lock released, exit %i', async (sig, status) => {
    const { repo, runId } = await twoTasksWorking(60_000);
    const name = sig.toLowerCase();
    runInTerminal(name, repo, runId, 80);
    await whileBothWork(name);
    expect(cursorShown(name)).toBe(false);
    const driver = await runLockHolder(join(repo, '.buran', 'runs', runId));
    expect(driver).not.toBeNull();
    process.kill(driver?.pid ?? 0, sig);
    const after = await afterExit(name);
    const text = after.join('\n');
    expect(after).toContain(`interrupted: buran stopped driving run ${runId}.`);
    expect(after).toContain('Everything it did is recorded and the run lock is released.');
    expect(text).toMatch(/ {2}alpha: agent working \d+s, attempt alpha\.a1, worker pid \d+/);
    expect(text).toContain(`re-attach: buran run --run ${runId}`);
    expect(after).toContain(`EXIT=${status}`);
    expect(text).not.toMatch(/tasks done · run/);
    expect(cursorShown(name)).toBe(true);
    expect(runProcesses(runId).length).toBeGreaterThan(0);
    expect(existsSync(join(repo, '.buran', 'runs', runId, 'lock'))).toBe(false);
  }, 90_000);

  it('at 200 columns: the whole output line shows, and a finished run leaves only its result on screen', async () => {
    const { repo, runId } = await twoTasksWorking(3_000);
    runInTerminal('wide', repo, runId, 200);
    const first = await whileBothWork('wide');
    expectOneCleanBlock(first, 200);
    expect(first.filter((l) => /^ {2}alpha .*before writing\d+$/.test(l))).toHaveLength(1);
    const after = await waitFor('the exit status', () => {
      const lines = screen('wide');
      return lines.some((l) => l.startsWith('EXIT=')) ? lines : null;
    }, 60_000);
    const text = after.join('\n');
    expect(text).toContain(`run ${runId}: handoff_ready (readyForReview)`);
    expect(after).toContain('EXIT=0');
    expect(text).not.toMatch(/tasks done · run|agent working/);
  }, 90_000);
});
