// The real makespan: seeded random DAGs run by the real CLI (`node
// bin/buran.js approve`, then `run`, dist/ built) in a fresh git repository,
// through the real engine with its worktrees, sandbox, gates and merges, as a
// user runs it. The worker (`fixtures/timed-worker.mjs`) sleeps each task's
// known duration, writes the task's file and its completion; buran commits
// and merges it. Each run is set beside the schedules computed on the same
// DAG and durations (scripts/bench/schedule.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type EventRecord, EventRecordSchema } from '../../src/domain/events.js';
import { cleanup, makeRepo, markerFile, packet, writePacket } from '../../test/engine/fixtures/project.js';
import { type RunPhases, type WorkerStamp, runPhases, taskTimes } from './runPhases.js';
import { cpuOf } from './procCpu.js';
import { type Instance, criticalPathFirst, criticalPathLength, lowerBound, mulberry32, randInt, randomDag, sequential, simulate, waves } from './schedule.js';
import { median, progress } from './stats.js';

const BIN = resolve('bin/buran.js');
const WORKER = resolve('scripts/bench/fixtures/timed-worker.mjs');

/** The study's shape (issue 15, item 5): 12–30 tasks of 1–4 s at concurrency 3. */
export const MAKESPAN_SHAPE = { minTasks: 12, maxTasks: 30, minMs: 1000, maxMs: 4000, stepMs: 100, concurrency: 3 } as const;
/** Targets: buran's makespan ÷ the lower bound, median over the DAGs and worst DAG. */
export const MAKESPAN_TARGETS = { medianRatio: 1.1, worstRatio: 1.25 } as const;

export interface MakespanDag {
  readonly index: number;
  readonly tasks: number;
  readonly edges: number;
  /** Every schedule figure in ms, on the same DAG and durations. */
  readonly workMs: number;
  readonly criticalPathMs: number;
  readonly lowerBoundMs: number;
  readonly listMs: number;
  readonly wavesMs: number;
  readonly sequentialMs: number;
  /** `buran run` started → exited. */
  readonly buranMs: number;
  /** CPU of `buran run` and everything it started (see TimedRun), per task. */
  readonly cpuPerTaskMs: number;
  /** Of that, the engine's own process, per task. */
  readonly engineCpuPerTaskMs: number;
  readonly exitCode: number | null;
  readonly ratio: number;
  readonly listRatio: number;
  readonly wavesRatio: number;
  readonly sequentialRatio: number;
  /** Tasks whose worker ran more than once. */
  readonly retried: number;
  readonly phases: RunPhases;
}

export interface MakespanStudy {
  readonly seed: number;
  readonly concurrency: number;
  readonly shape: typeof MAKESPAN_SHAPE;
  readonly dags: MakespanDag[];
  readonly medianRatio: number;
  readonly worstRatio: number;
  /** Every run reached handoff (exit 0). */
  readonly allHandedOff: boolean;
}

/** The study's DAGs for `seed`, in order: the same seed gives the same DAGs and durations. */
export function makespanInstances(seed: number, count: number): Instance[] {
  const { minTasks, maxTasks, minMs, maxMs, stepMs, concurrency } = MAKESPAN_SHAPE;
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => ({
    ...randomDag(rand, { minTasks, maxTasks, duration: (r) => randInt(r, minMs / stepMs, maxMs / stepMs) * stepMs, estimateMin: (ms) => ms / 60_000 }),
    concurrency,
  }));
}

function cli(repo: string, args: readonly string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`buran ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  return r.stdout;
}

interface TimedRun {
  readonly spawnedAt: number;
  readonly exitedAt: number;
  /** CPU of `buran run` and every process it reaped (git, supervisors, sandboxes, workers, verification): this process's children's CPU, before and after. */
  readonly cpuMs: number;
  /** Of that, the `buran run` process itself (the engine), from its last /proc sample before it exited (≤ SAMPLE_MS old). */
  readonly engineCpuMs: number;
  readonly code: number | null;
  readonly stderr: string;
}

const SAMPLE_MS = 100;

/** `buran run`, timed from spawn to exit on the wall clock (epoch ms, as the events and stamps are), and its CPU. */
function timedRun(repo: string, runId: string): Promise<TimedRun> {
  return new Promise((done, fail) => {
    const before = cpuOf('self').children;
    const spawnedAt = Date.now();
    const child = spawn(process.execPath, [BIN, 'run', '--run', runId, '--json'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let engine = Number.NaN;
    const sampler = setInterval(() => {
      const own = child.pid === undefined ? Number.NaN : cpuOf(child.pid).own;
      if (Number.isFinite(own)) engine = own;
    }, SAMPLE_MS);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) => {
      clearInterval(sampler);
      fail(error);
    });
    child.once('exit', (code) => {
      clearInterval(sampler);
      done({ spawnedAt, exitedAt: Date.now(), cpuMs: cpuOf('self').children - before, engineCpuMs: engine, code, stderr });
    });
  });
}

async function measureOne(inst: Instance, index: number): Promise<MakespanDag> {
  const repo = makeRepo();
  const durationsFile = markerFile(repo, 'durations.json');
  const stampsFile = markerFile(repo, 'stamps.jsonl');
  writeFileSync(durationsFile, JSON.stringify(Object.fromEntries(inst.durations)));
  const base = packet({
    id: `makespan-${index + 1}`,
    title: `Makespan DAG ${index + 1}`,
    tasks: inst.dag.map((t) => ({ id: t.id, dependsOn: t.dependsOn })),
    command: ['node', WORKER, durationsFile, stampsFile],
    // The cheapest verification there is, so the figures are buran's own cost.
    verify: [['true']],
    limits: { concurrency: inst.concurrency, maxDispatches: 10 * inst.dag.length },
  });
  const estimate = new Map(inst.dag.map((t) => [t.id, t.estimateMin]));
  const file = writePacket(repo, { ...base, tasks: base.tasks.map((t) => ({ ...t, estimateMin: estimate.get(t.id) })) });
  const { runId } = JSON.parse(cli(repo, ['approve', file, '--by', 'bench', '--json'])) as { runId: string };
  const run = await timedRun(repo, runId);
  if (run.code !== 0) progress(`makespan: DAG ${index + 1} exited ${String(run.code)}: ${run.stderr.slice(-500)}`);
  const events: EventRecord[] = cli(repo, ['events', '--run', runId, '--json'])
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => EventRecordSchema.parse(JSON.parse(line)));
  const stamps = existsSync(stampsFile)
    ? readFileSync(stampsFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as WorkerStamp)
    : [];
  const times = taskTimes(
    inst.dag.map((t) => t.id),
    events,
    stamps,
  );
  const bound = lowerBound(inst);
  const listMs = simulate(inst, criticalPathFirst);
  const wavesMs = simulate(inst, waves);
  const sequentialMs = sequential(inst);
  const buranMs = run.exitedAt - run.spawnedAt;
  return {
    index: index + 1,
    tasks: inst.dag.length,
    edges: inst.dag.reduce((sum, t) => sum + t.dependsOn.length, 0),
    workMs: sequentialMs,
    criticalPathMs: criticalPathLength(inst),
    lowerBoundMs: bound,
    listMs,
    wavesMs,
    sequentialMs,
    buranMs,
    cpuPerTaskMs: run.cpuMs / inst.dag.length,
    engineCpuPerTaskMs: run.engineCpuMs / inst.dag.length,
    exitCode: run.code,
    ratio: buranMs / bound,
    listRatio: listMs / bound,
    wavesRatio: wavesMs / bound,
    sequentialRatio: sequentialMs / bound,
    retried: times.filter((t) => t.attempts > 1).length,
    phases: runPhases(inst, times, run.spawnedAt, run.exitedAt),
  };
}

/** Runs `count` DAGs of `seed` one after another, each in its own repository (removed afterwards). */
export async function measureMakespan(seed: number, count: number): Promise<MakespanStudy> {
  if (!existsSync(resolve('dist/src/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (the makespan study runs the built CLI)');
  const dags: MakespanDag[] = [];
  try {
    for (const [index, inst] of makespanInstances(seed, count).entries()) {
      progress(`makespan: DAG ${index + 1}/${count} (seed ${seed}), ${inst.dag.length} tasks, lower bound ${(lowerBound(inst) / 1000).toFixed(1)} s`);
      dags.push(await measureOne(inst, index));
      await cleanup();
    }
  } finally {
    await cleanup();
  }
  return {
    seed,
    concurrency: MAKESPAN_SHAPE.concurrency,
    shape: MAKESPAN_SHAPE,
    dags,
    medianRatio: median(dags.map((d) => d.ratio)),
    worstRatio: Math.max(...dags.map((d) => d.ratio)),
    allHandedOff: dags.every((d) => d.exitCode === 0),
  };
}
