// The floor under a task's cost: the processes one task needs, run back to
// back with nothing of buran around them (no engine, no store, no supervisor),
// in a fresh repository, with the git settings buran pins and the bubblewrap
// confinement it uses. What a task costs buran can only be above this; the
// targets of issue 15 (items 1 and 5) are set beside it.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../../src/workspace/git.js';
import { type Confinement, createBwrapSandbox, probeBwrap } from '../../src/sandbox/index.js';
import { cleanup, makeRepo } from '../../test/engine/fixtures/project.js';
import { MAKESPAN_TARGETS, makespanInstances } from './makespan.js';
import { type Instance, criticalPathFirst, lowerBound, simulate } from './schedule.js';
import { cpuOf } from './procCpu.js';
import { median, summary } from './stats.js';

/** One task's chain, in the order buran runs it. */
export const FLOOR_STEPS = [
  'task worktree (worktree add -b)',
  'worker, instant sh, confined',
  'commit (add, commit, log)',
  'clean checkout (worktree add --detach, status)',
  'verification `true`, confined',
  'review diff',
  'merge --no-ff',
] as const;

export interface FloorResult {
  readonly tasks: number;
  readonly sandbox: string;
  /** Median wall ms of each step, in FLOOR_STEPS order. */
  readonly stepMs: readonly number[];
  /** Median over tasks of the whole chain's wall ms. */
  readonly chainMs: number;
  /** The makespan study's worker (`node`) started confined and exited: median wall ms (not in the chain). */
  readonly nodeWorkerStartMs: number;
  /** Processes the chain starts per task (its own, not git's internal children). */
  readonly processesPerTask: number;
  /** CPU of every process the chain started (reaped children, user + system), per task. */
  readonly childrenCpuMs: number;
  /** This process's own CPU per task (starting them: fork, pipes). */
  readonly parentCpuMs: number;
  /**
   * The largest overhead per task (ms, all of it in the task's slot, no fixed
   * cost per run at all) with which the makespan study's DAGs would still meet
   * both makespan targets: the list schedule on those DAGs with every task
   * that much longer.
   */
  readonly makespanBudgetMs: number;
}

function run(argv: readonly string[], cwd: string): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0] ?? '', argv.slice(1), { cwd, stdio: 'ignore', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done(0) : fail(new Error(`${argv.join(' ')} exited ${String(code)}`))));
  });
}

async function must(cwd: string, args: readonly string[]): Promise<string> {
  const r = await git(cwd, args);
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Each DAG of the makespan study with every task `extraMs` longer: buran ÷ lower bound, median and worst. */
export function ratiosWithOverhead(instances: readonly Instance[], extraMs: number): { median: number; worst: number } {
  const ratios = instances.map((inst) => {
    const longer: Instance = { ...inst, durations: new Map([...inst.durations].map(([id, ms]) => [id, ms + extraMs])) };
    return simulate(longer, criticalPathFirst) / lowerBound(inst);
  });
  return { median: median(ratios), worst: Math.max(...ratios) };
}

/** The largest per-task overhead (10 ms steps) that keeps both makespan targets on the study's default DAGs. */
export function makespanBudgetMs(seed: number, count: number): number {
  const instances = makespanInstances(seed, count);
  let budget = -10;
  for (let x = 0; x <= 2_000; x += 10) {
    const r = ratiosWithOverhead(instances, x);
    if (r.median > MAKESPAN_TARGETS.medianRatio || r.worst > MAKESPAN_TARGETS.worstRatio) break;
    budget = x;
  }
  return budget;
}

/** Runs the chain `tasks` times in one fresh repository (removed afterwards). */
export async function measureFloor(tasks: number, seed: number, dags: number): Promise<FloorResult> {
  const probe = await probeBwrap();
  const sandbox = probe.ok ? createBwrapSandbox(probe.path) : null;
  const repo = makeRepo();
  const runWt = join(repo, '.buran', 'floor', 'run');
  mkdirSync(join(repo, '.buran', 'floor'), { recursive: true });
  await must(repo, ['worktree', 'add', '--no-track', '-b', 'floor/run', '--', runWt, 'HEAD']);
  const confine = (argv: readonly string[], workdir: string): readonly string[] => {
    if (sandbox === null) return argv;
    const c: Confinement = { workdir, writable: [], readOnly: [join(workdir, '.git')], hidden: [join(repo, '.buran')], keepVisible: [repo], home: process.env['HOME'], network: false };
    return sandbox.wrap(argv, c);
  };
  const steps: number[][] = FLOOR_STEPS.map(() => []);
  const chains: number[] = [];
  const nodeStarts: number[] = [];
  const cpuBefore = cpuOf('self').children;
  const ownBefore = process.cpuUsage();
  let processes = 0;
  try {
    for (let i = 0; i < tasks; i++) {
      const wt = join(repo, '.buran', 'floor', `t${i}`);
      const check = join(repo, '.buran', 'floor', `v${i}`);
      const times: number[] = [];
      const step = async (f: () => Promise<unknown>, count: number) => {
        const t0 = performance.now();
        await f();
        times.push(performance.now() - t0);
        processes += count;
      };
      const base = (await must(runWt, ['rev-parse', 'HEAD'])).trim();
      await step(() => must(repo, ['worktree', 'add', '--no-track', '-b', `floor/t${i}`, '--', wt, 'floor/run']), 1);
      await step(() => run(confine(['sh', '-c', `printf 'task ${i}\\n' > src-${i}.txt`], wt), wt), 1);
      let commit = '';
      await step(async () => {
        await must(wt, ['add', '--all', '--']);
        await must(wt, ['commit', '--no-verify', '--no-gpg-sign', '-q', '-m', `task ${i}`]);
        commit = (await must(wt, ['log', '-1', '--format=%H%x00%T', '--numstat'])).split('\0')[0] ?? '';
      }, 3);
      await step(async () => {
        await must(repo, ['worktree', 'add', '--force', '--detach', '--', check, commit]);
        await must(check, ['status', '--porcelain=v2', '--branch']);
      }, 2);
      await step(() => run(confine(['true'], check), check), 1);
      await step(() => must(repo, ['diff', '--no-color', '--no-ext-diff', base, commit, '--']), 1);
      await step(() => must(runWt, ['merge', '--no-ff', '--no-edit', '--no-autostash', '-m', `merge task ${i}`, '--', commit]), 1);
      times.forEach((ms, k) => steps[k]?.push(ms));
      chains.push(times.reduce((s, x) => s + x, 0));
      await must(repo, ['worktree', 'remove', '--force', '--', check]);
    }
    const childrenCpu = cpuOf('self').children - cpuBefore;
    const own = process.cpuUsage(ownBefore);
    // Outside the chain: the makespan study's worker is a node script, started confined.
    writeFileSync(join(runWt, 'noop.mjs'), '\n');
    for (let i = 0; i < Math.min(tasks, 10); i++) {
      const t0 = performance.now();
      await run(confine(['node', 'noop.mjs'], runWt), runWt);
      nodeStarts.push(performance.now() - t0);
    }
    return {
      tasks,
      sandbox: sandbox === null ? `none (${probe.ok ? '' : probe.reason})` : 'bwrap',
      stepMs: steps.map((s) => summary(s).median),
      chainMs: summary(chains).median,
      nodeWorkerStartMs: summary(nodeStarts).median,
      processesPerTask: processes / tasks,
      childrenCpuMs: childrenCpu / tasks,
      parentCpuMs: (own.user + own.system) / 1000 / tasks,
      makespanBudgetMs: makespanBudgetMs(seed, dags),
    };
  } finally {
    await cleanup();
  }
}

/** The report of `--only=floor`: the chain's steps, then each issue-15 bound beside the part the chain alone takes of it. */
export function floorLines(r: FloorResult, cores: number, table: (header: string[], rows: string[][]) => string): string[] {
  const f = (x: number) => x.toFixed(0);
  const withNode = r.chainMs - (r.stepMs[1] ?? 0) + r.nodeWorkerStartMs;
  const cpu = r.childrenCpuMs + r.parentCpuMs;
  return [
    `9. The floor under a task — the processes one task needs (${f(r.processesPerTask)} a task, git's own children not counted), run back to back ${r.tasks} times`,
    `   in a fresh repository with buran's pinned git settings and its confinement (${r.sandbox}); no engine, store, supervisor or fsync around them`,
    table(['step', 'median ms'], [...FLOOR_STEPS.map((name, i) => [name, f(r.stepMs[i] ?? Number.NaN)]), ['the chain, per task (median)', f(r.chainMs)], ['(the makespan worker, `node`, confined: start → exit)', f(r.nodeWorkerStartMs)]]),
    `CPU per task: the processes ${f(r.childrenCpuMs)} ms, the node process starting them ${f(r.parentCpuMs)} ms`,
    '',
    table(
      ['bound (issue 15)', 'value', 'the floor alone', 'left for buran'],
      [
        ['overhead per task, wall (item 1; concurrency 4, every core busy)', '≤ 150 ms', `${f(cpu / cores)} ms (CPU ${f(cpu)} ms ÷ ${cores} cores)`, `${f(150 - cpu / cores)} ms`],
        ['overhead per task, driver CPU (item 1)', '≤ 100 ms', `${f(r.parentCpuMs)} ms (starting the chain)`, `${f(100 - r.parentCpuMs)} ms`],
        [`makespan, 1–4 s tasks at K=3 (item 5): largest overhead per task that meets both bounds, no fixed cost`, `${f(r.makespanBudgetMs)} ms`, `${f(withNode)} ms (the chain with the node worker)`, `${f(r.makespanBudgetMs - withNode)} ms`],
      ],
    ),
    '(left for buran: what the engine, the store, the supervisor, the start and the end of a run may take before the bound is missed)',
  ];
}
