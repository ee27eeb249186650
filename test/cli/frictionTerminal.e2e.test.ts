// What people read after a run, in a real terminal (tmux) at 80 and 200
// columns: the text `status` of a blocked run shows the finding (file, rule,
// message) once; the last lines of a blocked `buran run` show the same; the
// last lines of a handed-off `buran run` say how to see the change (git diff).
// `capture-pane -J` joins what the terminal wrapped, so a line is checked whole.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { agent, approvedRun, cleanup, git, packet, waitFor } from '../engine/fixtures/project.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `buran-friction-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI = resolve('test/cli/fixtures/buran.ts');

afterEach(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
});
afterAll(cleanup);

/** Run `buran <args>` in a tmux pane of the given width; the pane, wrapped lines joined, once the shell printed EXIT=. */
async function inTerminal(name: string, repo: string, columns: number, args: string): Promise<string[]> {
  const command = `cd '${repo}' && node --import '${loader}' '${CLI}' ${args}; echo EXIT=$?; sleep 600`;
  tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', '50', 'sh', '-c', command);
  return waitFor(
    `buran ${args} to end`,
    () => {
      // The visible pane (what the person sees; 50 rows hold all of it). Its history is left out: tmux's
      // scroll-on-clear copies a screen cleared from its first row there, which no redraw can avoid.
      const lines = tmux('capture-pane', '-p', '-J', '-t', name).split('\n');
      return lines.some((l) => l.startsWith('EXIT=')) ? lines : null;
    },
    90_000,
    100,
  );
}

const FINDING = /^ *- alpha: notes\/alpha-outside\.md(:\d+)? \[out_of_scope\] notes\/alpha-outside\.md \(added\) is outside the task scope \[src\/alpha\.txt\]$/;

/** Nothing the live view drew is left, nothing printed twice, no escape sequence shown as text. */
function expectCleanText(lines: readonly string[]): void {
  const text = lines.join('\n');
  expect(text).not.toMatch(/tasks done · run|agent working|\[\?25[hl]/);
  expect(text.includes('\u001b')).toBe(false);
  const printed = lines.filter((l) => l.trim() !== '');
  const repeated = printed.filter((l, i) => printed.indexOf(l) !== i && !/^\s*\|/.test(l));
  expect(repeated).toEqual([]);
}

describe.skipIf(!hasTmux)('what people read after a run, in a terminal', () => {
  it.each([80, 200])('at %i columns: a blocked run shows its finding in run and status; a handed-off run says how to see the change', async (columns) => {
    const blocked = await approvedRun(packet({ command: agent('out-of-scope'), limits: { maxFixRounds: 0 } }));
    const run = await inTerminal(`run-${columns}`, blocked.repo, columns, `run --run ${blocked.runId}`);
    expectCleanText(run);
    expect(run).toContain(`run ${blocked.runId}: blocked (blocked)`);
    expect(run.filter((l) => l.startsWith('blocked: fix_exhausted:'))).toHaveLength(1);
    expect(run.filter((l) => FINDING.test(l))).toHaveLength(1);
    expect(run.some((l) => /^next: .+/.test(l))).toBe(true);
    expect(run).toContain('EXIT=3');

    const status = await inTerminal(`status-${columns}`, blocked.repo, columns, `status --run ${blocked.runId}`);
    expectCleanText(status);
    expect(status.filter((l) => l.startsWith(`run ${blocked.runId}: blocked (blocked)`))).toHaveLength(1);
    expect(status.filter((l) => FINDING.test(l))).toHaveLength(1);
    expect(status).toContain('EXIT=0');

    const done = await approvedRun(packet({ command: agent('ok') }));
    const handedOff = await inTerminal(`handoff-${columns}`, done.repo, columns, `run --run ${done.runId}`);
    expectCleanText(handedOff);
    const base = git(done.repo, 'rev-parse', 'main').trim();
    const last = handedOff.filter((l) => l.trim() !== '').slice(-4);
    expect(last[0]).toBe(`run ${done.runId}: handoff_ready (readyForReview)`);
    expect(last[1]).toMatch(/^next: /);
    expect(last[2]).toBe(`  git diff ${base}...buran/${done.runId}`);
    expect(last[3]).toBe('EXIT=0');
  }, 240_000);
});
