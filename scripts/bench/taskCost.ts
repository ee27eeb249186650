// What one task costs buran around an instant worker, on a real run: a temp
// git repository, real worktrees, the local effects (git trust, sandbox choice,
// supervisor, verification on a clean checkout, built-in review, merge,
// handoff) and a `command` worker that writes its file and its completion at
// once. Counted: git processes by subcommand (a `git` wrapper first on PATH:
// buran runs `git` through PATH, see src/workspace/git.ts); timed, in separate
// runs without the wrapper: wall and CPU per task. The built library (dist/)
// drives the run, as an installed buran does: from the sources, every
// supervisor would start through the tsx loader (seconds under load).
// Diagnostics: BURAN_BENCH_TRACE=1 prints every event with its time (ms) on
// stderr; BURAN_BENCH_GIT_ARGS=<file> appends each counted git call's argv.
import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ProjectSource from '../../src/engine/project.js';
import type { EventRecord } from '../../src/domain/events.js';
import { cpuOf } from './procCpu.js';
import { summary } from './stats.js';

/** The instant worker: POSIX sh (no runtime start-up of its own), its file, its completion (temp + rename). */
const WORKER = `#!/bin/sh
set -e
mkdir -p "$BURAN_WORKSPACE/src"
printf 'written by %s\\n' "$BURAN_ATTEMPT_ID" > "$BURAN_WORKSPACE/src/$BURAN_TASK_ID.txt"
printf '{"schema":"buran.completion/v1","runId":"%s","taskId":"%s","attemptId":"%s","epoch":%s,"status":"completed","summary":"bench worker","changedFiles":["src/%s.txt"]}' \\
  "$BURAN_RUN_ID" "$BURAN_TASK_ID" "$BURAN_ATTEMPT_ID" "$BURAN_EPOCH" "$BURAN_TASK_ID" > "$BURAN_COMPLETION_FILE.tmp"
mv "$BURAN_COMPLETION_FILE.tmp" "$BURAN_COMPLETION_FILE"
`;

/** Logs the subcommand (and, for `worktree`, its action) of every call, then runs the real git. */
const wrapper = (log: string, realGit: string) => `#!/bin/sh
sub=""; skip=0; want=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  if [ "$want" = 1 ]; then sub="$sub $a"; break; fi
  case "$a" in
    -c|-C) skip=1 ;;
    -*) ;;
    worktree) sub="$a"; want=1 ;;
    *) sub="$a"; break ;;
  esac
done
echo "$sub" >> '${log}'
[ -n "$BURAN_BENCH_GIT_ARGS" ] && echo "$*" >> "$BURAN_BENCH_GIT_ARGS"
exec '${realGit}' "$@"
`;

function findOnPath(name: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir.startsWith('/')) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not on PATH`);
}

type ProjectModule = typeof ProjectSource;

/** openProject of the built library. */
async function builtOpenProject(): Promise<ProjectModule['openProject']> {
  const file = resolve('dist/src/engine/project.js');
  if (!existsSync(file)) throw new Error('dist/ is missing: run `npm run build` first (the task-cost section drives the built library)');
  return ((await import(pathToFileURL(file).href)) as ProjectModule).openProject;
}

export interface TaskCostRun {
  readonly tasks: number;
  readonly status: string;
  readonly wallMs: number;
  /** CPU of this (driving) process. */
  readonly driverCpuMs: number;
  /** CPU of the child processes that ended and were reaped meanwhile (git, supervisors with their workers, verification, bwrap). */
  readonly childrenCpuMs: number | null;
  /** git processes by subcommand, when counted (null: a timing run, no wrapper). */
  readonly git: Record<string, number> | null;
}

/** CPU ms of reaped children (Linux /proc/self/stat cutime + cstime), or null elsewhere. */
function childrenCpuMs(): number | null {
  const children = cpuOf('self').children;
  return Number.isFinite(children) ? children : null;
}

/** One real run of `tasks` independent tasks at `concurrency`; git counted when `countGit`. */
export async function measureTaskCostRun(tasks: number, concurrency: number, countGit: boolean): Promise<TaskCostRun> {
  const root = mkdtempSync(join(tmpdir(), 'buran-bench-task-'));
  const repo = join(root, 'repo');
  const realGit = findOnPath('git');
  const setupGit = (...args: string[]) => execFileSync(realGit, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd: repo, stdio: 'ignore' });
  mkdirSync(repo);
  writeFileSync(join(repo, 'README.md'), '# bench\n');
  setupGit('init', '-q', '-b', 'main');
  setupGit('add', '-A');
  setupGit('commit', '-q', '-m', 'bench');
  const worker = join(root, 'worker.sh');
  writeFileSync(worker, WORKER);
  chmodSync(worker, 0o755);
  const ids = Array.from({ length: tasks }, (_, i) => `t${String(i).padStart(3, '0')}`);
  const packetFile = join(repo, 'packet.json');
  writeFileSync(
    packetFile,
    JSON.stringify({
      schema: 'buran.packet/v1',
      id: 'bench-task-cost',
      title: 'Bench task cost',
      goal: 'Measure what a task costs around an instant worker.',
      tasks: ids.map((id) => ({ id, title: `Write src/${id}.txt`, instructions: `Write src/${id}.txt.`, dependsOn: [], scope: [`src/${id}.txt`], acceptance: [`src/${id}.txt exists`] })),
      verify: [['true']],
      worker: { adapter: 'command', command: [worker] },
      limits: { concurrency, maxDispatches: Math.min(1000, tasks * 2), heartbeatTimeoutSec: 60, taskTimeoutSec: 120 },
    }),
  );
  const log = join(root, 'git.log');
  const bin = join(root, 'bin');
  const savedPath = process.env['PATH'];
  try {
    const trace = process.env['BURAN_BENCH_TRACE'] === '1';
    const t00 = performance.now();
    const openProject = await builtOpenProject();
    const project = await openProject({ cwd: repo, ...(trace ? { onEvent: (e: EventRecord) => void process.stderr.write(`${(performance.now() - t00).toFixed(0)} ${e.taskId ?? '-'} ${e.type} ${e.to ?? ''}\n`) } : {}) });
    const { runId } = await project.approve(packetFile, 'bench');
    if (countGit) {
      mkdirSync(bin);
      writeFileSync(join(bin, 'git'), wrapper(log, realGit));
      chmodSync(join(bin, 'git'), 0o755);
      writeFileSync(log, '');
      process.env['PATH'] = `${bin}${delimiter}${savedPath ?? ''}`;
    }
    const children0 = childrenCpuMs();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await project.runner.drive(runId);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const children1 = childrenCpuMs();
    process.env['PATH'] = savedPath;
    const git: Record<string, number> | null = countGit ? {} : null;
    if (git !== null) {
      for (const line of readFileSync(log, 'utf8').split('\n')) if (line !== '') git[line] = (git[line] ?? 0) + 1;
    }
    return {
      tasks,
      status: result.status,
      wallMs,
      driverCpuMs: (cpu.user + cpu.system) / 1000,
      childrenCpuMs: children0 === null || children1 === null ? null : children1 - children0,
      git,
    };
  } finally {
    process.env['PATH'] = savedPath;
    rmSync(root, { recursive: true, force: true });
  }
}

export interface TaskCostSize {
  readonly tasks: number;
  readonly reps: number;
  readonly statuses: string[];
  /** git processes per task by subcommand (from the counting run), most first. */
  readonly gitPerTask: [string, number][];
  readonly gitTotalPerTask: number;
  /** Medians over the timing runs, per task. */
  readonly wallMsPerTask: number;
  readonly driverCpuMsPerTask: number;
  readonly childrenCpuMsPerTask: number | null;
  readonly cpuMsPerTask: number;
  readonly wallMsPerTaskAll: number[];
}

/** One counting run and `reps` timing runs at `tasks` tasks. */
export async function measureTaskCost(tasks: number, concurrency: number, reps: number, onProgress: (line: string) => void): Promise<TaskCostSize> {
  onProgress(`task cost: ${tasks} tasks, counting git processes`);
  const counted = await measureTaskCostRun(tasks, concurrency, true);
  const timed: TaskCostRun[] = [];
  for (let i = 0; i < reps; i += 1) {
    onProgress(`task cost: ${tasks} tasks, timing run ${i + 1}/${reps}`);
    timed.push(await measureTaskCostRun(tasks, concurrency, false));
  }
  const git = Object.entries(counted.git ?? {}).map(([sub, n]): [string, number] => [sub, n / tasks]).sort((a, b) => b[1] - a[1]);
  const per = (pick: (r: TaskCostRun) => number) => summary(timed.map((r) => pick(r) / tasks)).median;
  const children = timed.every((r) => r.childrenCpuMs !== null) ? per((r) => r.childrenCpuMs ?? 0) : null;
  return {
    tasks,
    reps,
    statuses: [counted.status, ...timed.map((r) => r.status)],
    gitPerTask: git,
    gitTotalPerTask: git.reduce((s, [, n]) => s + n, 0),
    wallMsPerTask: per((r) => r.wallMs),
    driverCpuMsPerTask: per((r) => r.driverCpuMs),
    childrenCpuMsPerTask: children,
    cpuMsPerTask: per((r) => r.driverCpuMs + (r.childrenCpuMs ?? 0)),
    wallMsPerTaskAll: timed.map((r) => r.wallMs / tasks),
  };
}

/** Issue 15, "cheap tasks": on the happy path, with an instant worker. */
export const TASK_COST_TARGETS = { gitPerTask: 10, wallMsPerTask: 150, cpuMsPerTask: 100 } as const;

export interface TaskCostTarget {
  readonly name: string;
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

const f1 = (x: number) => x.toFixed(1);

/** The targets, judged at every measured size (the run's fixed costs are shared by fewer tasks at the smaller size). */
export function taskCostTargets(sizes: readonly TaskCostSize[]): TaskCostTarget[] {
  const all = (pick: (s: TaskCostSize) => number, bound: number) => sizes.every((s) => pick(s) <= bound);
  const at = (pick: (s: TaskCostSize) => number | null, unit: string) => sizes.map((s) => `${s.tasks} tasks: ${f1(pick(s) ?? NaN)}${unit}`).join(', ');
  const t = TASK_COST_TARGETS;
  return [
    { name: 'git processes per task (happy path)', target: `≤ ${t.gitPerTask}`, value: at((s) => s.gitTotalPerTask, ''), met: all((s) => s.gitTotalPerTask, t.gitPerTask) },
    { name: 'wall ms per task (run wall ÷ tasks, median of runs)', target: `≤ ${t.wallMsPerTask} ms`, value: at((s) => s.wallMsPerTask, ' ms'), met: all((s) => s.wallMsPerTask, t.wallMsPerTask) },
    { name: 'CPU ms per task, the driving process (engine)', target: `≤ ${t.cpuMsPerTask} ms`, value: at((s) => s.driverCpuMsPerTask, ' ms'), met: all((s) => s.driverCpuMsPerTask, t.cpuMsPerTask) },
    { name: 'CPU ms per task, driver + every child (git, supervisors, worker, verification, bwrap)', target: `≤ ${t.cpuMsPerTask} ms`, value: at((s) => s.cpuMsPerTask, ' ms'), met: all((s) => s.cpuMsPerTask, t.cpuMsPerTask) },
  ];
}

/** The section's lines: figures per size, git by subcommand side by side. */
export function taskCostLines(sizes: readonly TaskCostSize[], concurrency: number, table: (header: readonly string[], rows: readonly (readonly string[])[], left?: number) => string): string[] {
  const subs = [...new Set(sizes.flatMap((s) => s.gitPerTask.map(([sub]) => sub)))];
  const perSub = (s: TaskCostSize, sub: string) => s.gitPerTask.find(([k]) => k === sub)?.[1] ?? 0;
  subs.sort((a, b) => perSub(sizes.at(-1) ?? sizes[0]!, b) - perSub(sizes.at(-1) ?? sizes[0]!, a));
  return [
    `Task cost — a real run: temp git repository, real worktrees, local effects, an instant sh \`command\` worker, verify ['true'], independent tasks at concurrency ${concurrency}`,
    table(
      ['tasks', 'status (all runs)', 'git/task', 'wall ms/task (med)', 'driver CPU ms/task', 'children CPU ms/task', 'all CPU ms/task', 'wall ms/task (each run)'],
      sizes.map((s) => [String(s.tasks), [...new Set(s.statuses)].join(','), f1(s.gitTotalPerTask), f1(s.wallMsPerTask), f1(s.driverCpuMsPerTask), f1(s.childrenCpuMsPerTask ?? NaN), f1(s.cpuMsPerTask), s.wallMsPerTaskAll.map(f1).join(' ')]),
      2,
    ),
    '',
    'git processes per task by subcommand',
    table(['subcommand', ...sizes.map((s) => `${s.tasks} tasks`)], subs.map((sub) => [sub, ...sizes.map((s) => perSub(s, sub).toFixed(2))])),
  ];
}
