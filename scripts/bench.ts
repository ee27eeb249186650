// `npm run bench`: measures, now, on this machine, what buran costs around
// the workers: runner overhead per task, the store's cost per transition as a
// run grows, completion-detection latency, resume time of a 10k-event run, the
// disk's fsync floor and the sandbox's cost per process. Progress goes to
// stderr; the tables and one JSON line (last) go to stdout. Nothing here is
// hard-coded; see docs/performance.md. `npm run bench -- --only=sandbox` runs
// the sandbox section alone (seconds, not minutes); `--only=cli` the CLI's cold
// starts and `--only=status-all` status over 10, 100 and 1,000 runs (dist/ built);
// `--only=makespan` the real-run makespan study (dist/ built; `--seed=N` and
// `--dags=N` to repeat or widen it); `--only=task-cost` git processes, wall and
// CPU per task of real runs (dist/ built); `--only=flat` the cost of one
// persisted step at 10 to 10,000 tasks, its fsyncs, the engine's CPU per task
// and the resume of a 10,000-task run (issue 15, item 4); `--only=floor` the
// processes one task needs, alone, beside the bounds of items 1 and 5;
// `--only=issue15` all of issue 15's sections and targets in one run.
import os from 'node:os';
import { machineInfo, reportHeader } from './bench/machine.js';
import { measureFsyncFloor } from './bench/fsyncFloor.js';
import { measureDetectionLatency } from './bench/latency.js';
import { type FinalRunFiles, type OverheadResult, type StoreKind, measureOverhead } from './bench/overhead.js';
import { measureResume } from './bench/resume.js';
import { type ReadyCost, measureReadyCost } from './bench/scheduler.js';
import { bytes, ms, progress, round, table } from './bench/stats.js';
import { measureTransitionCost, type TransitionCost } from './bench/storeCost.js';
import { measureSandboxCost, type SandboxCost } from './bench/sandbox.js';
import { CHAINS, CONCURRENCY, MAX_DISPATCHES } from './bench/workload.js';
import { measureMakespan, type MakespanStudy } from './bench/makespan.js';
import { makespanLines, makespanTargets } from './bench/makespanReport.js';
import { CLI_HEADER, type CliCost, type StatusAllCost, cliRows, cliTargets, measureCli, measureStatusAll } from './bench/cli.js';
import { measureTaskCost, taskCostLines, taskCostTargets, type TaskCostSize } from './bench/taskCost.js';
import { flatLines, flatOnly, flatTargets, measureFlat } from './bench/flatReport.js';
import { floorLines, measureFloor } from './bench/floor.js';

const SIZES = [10, 100, 1000] as const;
/** Repetitions per size (the run with the median wall time is reported). */
const REPS: Readonly<Record<number, number>> = { 10: 15, 100: 5, 1000: 3 };
/** A drive that is not done after this long is stopped and reported as it stands. */
const RUN_BUDGET_MS = 180_000;
const TRANSITION_REPS = 40;
const LATENCY_RUNS = 20;
/** The fixture worker waits this long before answering, so the waiter is already watching. */
const LATENCY_WORKER_DELAY_MS = 250;
const RESUME_EVENTS = 10_000;
/** Enough tasks (~9 events each) to pass RESUME_EVENTS with work left. */
const RESUME_TASKS = 1200;
const RESUME_REPS = 3;
const FSYNC_N = 200;
const REPLACE_N = 50;
/** "Flat" means the per-task (or per-transition) cost at 1000 tasks is at most this multiple of the cost at 10. */
const FLAT_RATIO = 1.5;

const SANDBOX_N = 40;
/** Pairs (node -e 0, command) per CLI figure; run counts of the status-all section. */
const CLI_N = 11;
const STATUS_ALL_SIZES = [10, 100, 1000] as const;

/** The makespan study's default seed and number of DAGs (about 10 minutes on this shared 2-core machine under load); `--seed=N`, `--dags=N` change them. */
const MAKESPAN_SEED = 20_261_205;
const MAKESPAN_DAGS = 6;
/** Tasks of the floor section (seconds). */
const FLOOR_TASKS = 30;

const TARGETS = { overheadMsPerTask: 5, detectionP95Ms: 250, resumeMs: 500, sandboxMsPerProcess: 20 } as const;

interface Target {
  readonly name: string;
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

/** Deep copy with every number rounded, for the JSON line. */
function rounded(value: unknown): unknown {
  if (typeof value === 'number') return round(value);
  if (Array.isArray(value)) return value.map(rounded);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]));
  return value;
}

async function overheadAt(kind: StoreKind, tasks: number): Promise<{ result: OverheadResult; final: FinalRunFiles }> {
  const reps = REPS[tasks] ?? 1;
  const runs: { result: OverheadResult; final: FinalRunFiles }[] = [];
  for (let i = 0; i < reps; i += 1) {
    progress(`runner overhead: ${kind} store, ${tasks} tasks (run ${i + 1}/${reps})`);
    runs.push(await measureOverhead(kind, tasks, RUN_BUDGET_MS));
  }
  runs.sort((a, b) => a.result.wallMs - b.result.wallMs);
  const median = runs[Math.floor((runs.length - 1) / 2)];
  if (median === undefined) throw new Error('no run');
  return median;
}

function sandboxTarget(sandbox: SandboxCost): Target {
  return {
    name: 'sandbox cost per process start (bwrap, worker confinement; median difference)',
    target: `≤ ${TARGETS.sandboxMsPerProcess} ms`,
    value: sandbox.bwrap === null ? `not measured: ${sandbox.reason ?? ''}` : sandbox.commands.map((c) => `${c.command} +${ms(c.costMedianMs)} ms`).join(', '),
    met: sandbox.commands.length > 0 && sandbox.commands.every((c) => c.costMedianMs <= TARGETS.sandboxMsPerProcess),
  };
}

function sandboxLines(sandbox: SandboxCost): string[] {
  if (sandbox.bwrap === null) return [`6. Sandbox cost — not measured: ${sandbox.reason ?? ''}`];
  return [
    `6. Sandbox cost — ${sandbox.n} starts each, direct and under ${sandbox.bwrap} with a worker's confinement (${sandbox.mounts} mounts), alternating`,
    table(
      ['command', 'direct ms (med/p95)', 'sandboxed ms (med/p95)', 'cost ms (median)'],
      sandbox.commands.map((c) => [c.command, `${ms(c.directMedianMs)} / ${ms(c.directP95Ms)}`, `${ms(c.sandboxedMedianMs)} / ${ms(c.sandboxedP95Ms)}`, ms(c.costMedianMs)]),
    ),
  ];
}

/** `--only=sandbox`: the sandbox section alone, with its target and JSON line. */
async function sandboxOnly(): Promise<void> {
  const machine = machineInfo();
  progress(`sandbox cost: ${SANDBOX_N} × (direct, sandboxed) per command`);
  const sandbox = await measureSandboxCost(SANDBOX_N);
  const target = sandboxTarget(sandbox);
  const out = [...reportHeader('sandbox only', machine, null), ...sandboxLines(sandbox), ''];
  out.push(table(['target', 'bound', 'measured', 'result'], [[target.name, target.target, target.value, target.met ? 'met' : 'NOT MET']], 4));
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(rounded({ bench: 'buran', only: 'sandbox', machine, sandbox, targets: [target] }))}\n`);
}

/** The CLI's cold start and `status` over all runs; `sections` picks cli, status-all or both. */
async function cliOnly(sections: readonly ('cli' | 'status-all')[]): Promise<void> {
  const machine = machineInfo();
  const load = os.loadavg()[0] ?? NaN;
  const cli = sections.includes('cli') ? await measureCli(CLI_N) : null;
  const all = sections.includes('status-all') ? await measureStatusAll(STATUS_ALL_SIZES, CLI_N) : null;
  const targets = cliTargets(cli, all);
  const out = [...reportHeader(sections.join(', '), machine, load)];
  out.push(cliLines(cli, all), '');
  out.push(table(['target', 'bound', 'measured', 'result'], targets.map((t) => [t.name, t.target, t.value, t.met ? 'met' : 'NOT MET']), 4));
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(rounded({ bench: 'buran', only: sections, machine, cli, statusAll: all, targets }))}\n`);
}

function numberOption(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name}=${raw}: expected a positive integer`);
  return value;
}

async function makespanStudy(): Promise<MakespanStudy> {
  const seed = numberOption('seed', MAKESPAN_SEED);
  const dags = numberOption('dags', MAKESPAN_DAGS);
  return measureMakespan(seed, dags);
}

/** `--only=makespan`: the real-run makespan study alone, with its targets and JSON line. */
async function makespanOnly(): Promise<void> {
  const machine = machineInfo();
  const load = os.loadavg()[0] ?? NaN;
  const makespan = await makespanStudy();
  const targets = makespanTargets(makespan);
  const out = [...reportHeader('makespan', machine, load)];
  out.push(...makespanLines(makespan), '');
  out.push(table(['target', 'bound', 'measured', 'result'], targets.map((t) => [t.name, t.target, t.value, t.met ? 'met' : 'NOT MET']), 4));
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(rounded({ bench: 'buran', only: 'makespan', machine, loadAverage: { start: load, end: os.loadavg()[0] ?? NaN }, makespan, targets }))}\n`);
}

function cliLines(cli: CliCost | null, all: StatusAllCost | null): string {
  const ratio = all === null ? '' : ` (status at ${all.sizes.at(-1)?.label ?? '?'} ÷ at ${all.sizes[0]?.label ?? '?'}, by pair ratio: ${((all.sizes.at(-1)?.ratio ?? NaN) / (all.sizes[0]?.ratio ?? NaN)).toFixed(2)}×)`;
  return `7. CLI cold start — \`node bin/buran.js …\` (dist/ built), each run paired with \`node -e 0\`, ${CLI_N} pairs${ratio}\n${table(CLI_HEADER, cliRows(cli, all))}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  const loadAtStart = os.loadavg()[0] ?? NaN;
  progress(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);

  progress(`fsync floor: ${FSYNC_N} × write 100 B + fsync, ${REPLACE_N} durable replaces`);
  const fsync = await measureFsyncFloor(FSYNC_N, REPLACE_N);

  progress('warm-up (not reported)');
  await measureOverhead('memory', 50, RUN_BUDGET_MS);
  await measureOverhead('file', 20, RUN_BUDGET_MS);

  const overhead: OverheadResult[] = [];
  const finals = new Map<number, FinalRunFiles>();
  for (const kind of ['memory', 'file'] as const) {
    for (const tasks of SIZES) {
      const { result, final } = await overheadAt(kind, tasks);
      overhead.push(result);
      if (kind === 'file') finals.set(tasks, final);
    }
  }

  progress('scheduler ready() per call');
  const readyCost: ReadyCost[] = SIZES.map((tasks) => measureReadyCost(tasks, 200));

  const transitions: TransitionCost[] = [];
  for (const tasks of SIZES) {
    const final = finals.get(tasks);
    if (final === undefined) continue;
    progress(`store cost per transition: run of ${tasks} tasks, ${TRANSITION_REPS} flushes`);
    transitions.push(await measureTransitionCost(tasks, final, TRANSITION_REPS));
  }

  progress(`completion detection: ${LATENCY_RUNS} real workers under the supervisor`);
  const latency = await measureDetectionLatency(LATENCY_RUNS, LATENCY_WORKER_DELAY_MS);

  progress(`resume: a real run stopped after ${RESUME_EVENTS} events, ${RESUME_REPS} resumes`);
  const resume = await measureResume(RESUME_EVENTS, RESUME_TASKS, RESUME_REPS);

  progress(`sandbox cost: ${SANDBOX_N} × (direct, sandboxed) per command`);
  const sandbox = await measureSandboxCost(SANDBOX_N);

  const cli = await measureCli(CLI_N);
  const statusAll = await measureStatusAll(STATUS_ALL_SIZES, CLI_N);

  const makespan = await makespanStudy();

  // ---- targets
  const perTask = (kind: StoreKind, tasks: number) => overhead.find((o) => o.store === kind && o.tasks === tasks);
  const ratio = (kind: StoreKind) => (perTask(kind, 1000)?.wallPerTaskMs ?? NaN) / (perTask(kind, 10)?.wallPerTaskMs ?? NaN);
  const worst = overhead.reduce((a, b) => (b.wallPerTaskMs > a.wallPerTaskMs ? b : a));
  const tx10 = transitions.find((t) => t.tasks === 10);
  const tx1000 = transitions.find((t) => t.tasks === 1000);
  const txRatio = (tx1000?.flushMsMedian ?? NaN) / (tx10?.flushMsMedian ?? NaN);
  const targets: Target[] = [
    {
      name: 'runner overhead per task (instant worker, every size and store)',
      target: `< ${TARGETS.overheadMsPerTask} ms`,
      value: `worst ${ms(worst.wallPerTaskMs)} ms (${worst.store}, ${worst.tasks} tasks)`,
      met: overhead.every((o) => o.completed && o.wallPerTaskMs < TARGETS.overheadMsPerTask),
    },
    {
      name: 'runner overhead flat from 10 to 1000 tasks',
      target: `ms/task at 1000 ≤ ${FLAT_RATIO}× at 10`,
      value: `memory ${ratio('memory').toFixed(2)}×, file ${ratio('file').toFixed(2)}×`,
      met: ratio('memory') <= FLAT_RATIO && ratio('file') <= FLAT_RATIO,
    },
    {
      name: 'store cost per transition flat (no quadratic rewrite of growing files)',
      target: `flush at 1000 tasks ≤ ${FLAT_RATIO}× at 10`,
      value: `${txRatio.toFixed(1)}× (${ms(tx10?.flushMsMedian ?? NaN)} → ${ms(tx1000?.flushMsMedian ?? NaN)} ms; snapshot ${bytes(tx10?.snapshotBytes ?? NaN)} → ${bytes(tx1000?.snapshotBytes ?? NaN)})`,
      met: txRatio <= FLAT_RATIO,
    },
    {
      name: 'completion detection, worker exit → outcome (p95)',
      target: `< ${TARGETS.detectionP95Ms} ms`,
      value: `${ms(latency.fromWorkerExit.p95)} ms`,
      met: latency.fromWorkerExit.p95 < TARGETS.detectionP95Ms && latency.outcomes['completion:completed'] === latency.runs,
    },
    {
      name: `resume of a ${resume.events}-event run (drive --step, median)`,
      target: `< ${TARGETS.resumeMs} ms`,
      value: `${ms(resume.driveStepMedianMs)} ms (inspect ${ms(resume.inspectMedianMs)} ms)`,
      met: resume.driveStepMedianMs < TARGETS.resumeMs,
    },
    sandboxTarget(sandbox),
    ...cliTargets(cli, statusAll),
    ...makespanTargets(makespan),
  ];

  // ---- report
  const out: string[] = [];
  out.push(`buran bench — ${date}`);
  const loadAtEnd = os.loadavg()[0] ?? NaN;
  out.push(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.kernel}, node ${machine.node}; temp dir on ${machine.tmpFs}`);
  out.push(`1-minute load average: ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end (other work on the machine shows up as noise, mostly in the short runs)`);
  out.push('');
  out.push(`1. Runner overhead per task — instant scripted worker, ${CHAINS} chains, concurrency ${CONCURRENCY}, maxDispatches ${MAX_DISPATCHES}; median of ${REPS[10]}/${REPS[100]}/${REPS[1000]} runs`);
  out.push(
    table(
      ['store', 'tasks', 'status', 'wall ms', 'ms/task', 'cpu ms/task', 'events', 'flushes', 'final snapshot', 'snapshot bytes written', 'events.jsonl'],
      overhead.map((o) => [
        o.store,
        String(o.tasks),
        o.stopped === null ? o.status : `stopped (${o.tasksPassed} passed)`,
        ms(o.wallMs),
        ms(o.wallPerTaskMs),
        ms(o.cpuPerTaskMs),
        String(o.events),
        String(o.appendCalls),
        bytes(o.finalSnapshotBytes),
        o.snapshotBytesWritten === null ? '—' : bytes(o.snapshotBytesWritten),
        bytes(o.eventLogBytes),
      ]),
    ),
  );
  out.push(`flatness (ms/task at 1000 ÷ at 10): memory ${ratio('memory').toFixed(2)}×, file ${ratio('file').toFixed(2)}×`);
  out.push(`scheduler ready() per call (once per task completion, scans the whole DAG): ${readyCost.map((r) => `${r.tasks} tasks ${ms(r.msPerCall)} ms`).join(', ')}`);
  out.push('');
  out.push(`2. Store cost per transition — file store; one event appended + the whole snapshot rewritten, ${TRANSITION_REPS} times, on a copy of each run's final files`);
  out.push(
    table(
      ['tasks', 'snapshot', 'append 1 event ms (med/p95)', 'write snapshot ms (med/p95)', 'flush ms', '× fsync', '× replace', 'transitions/task', 'store ms/task at 1 flush/transition'],
      transitions.map((t) => [
        String(t.tasks),
        bytes(t.snapshotBytes),
        `${ms(t.appendOneMsMedian)} / ${ms(t.appendOneMsP95)}`,
        `${ms(t.snapshotWriteMsMedian)} / ${ms(t.snapshotWriteMsP95)}`,
        ms(t.flushMsMedian),
        `${(t.flushMsMedian / fsync.writeFsyncMedianMs).toFixed(0)}×`,
        `${(t.snapshotWriteMsMedian / fsync.durableReplaceMedianMs).toFixed(1)}×`,
        t.transitionsPerTask.toFixed(1),
        ms(t.storeMsPerTaskOneFlushEach),
      ]),
    ),
  );
  out.push('inside the drives above (file store, store methods wrapped with timers):');
  out.push(
    table(
      ['tasks', 'flushes', 'events/flush', 'append ms/event', 'snapshot write ms (median)', 'snapshot size first→last 10% of writes', 'snapshot bytes written'],
      overhead
        .filter((o) => o.store === 'file')
        .map((o) => [
          String(o.tasks),
          String(o.appendCalls),
          (o.events / Math.max(1, o.appendCalls)).toFixed(0),
          ms(o.appendMsPerEvent),
          ms(o.snapshotMsMedian),
          `${bytes(o.firstDecile.snapshotBytes ?? NaN)} → ${bytes(o.lastDecile.snapshotBytes ?? NaN)}`,
          o.snapshotBytesWritten === null ? '—' : bytes(o.snapshotBytesWritten),
        ]),
    ),
  );
  out.push(
    '(with an instant worker the actors run on the event loop while a write is pending, so one flush batches hundreds of transitions and the',
  );
  out.push('wrapper\'s wall times include engine work; the isolated table above is the per-transition cost a run with real workers pays)');
  out.push('');
  out.push(`3. Completion detection — ${latency.runs} workers one at a time (detached supervisor; the worker writes a valid completion and exits); outcomes ${JSON.stringify(latency.outcomes)}`);
  out.push(
    table(
      ['measured from', 'median ms', 'p95 ms', 'max ms'],
      [
        ['worker exit (its own stamp)', ms(latency.fromWorkerExit.median), ms(latency.fromWorkerExit.p95), ms(latency.fromWorkerExit.max)],
        ['exit.json endedAt (supervisor)', ms(latency.fromExitRecord.median), ms(latency.fromExitRecord.p95), ms(latency.fromExitRecord.max)],
      ],
    ),
  );
  out.push(`(startAttempt → worker spawned: median ${ms(latency.startMedianMs)} ms; not part of detection)`);
  out.push('');
  out.push(
    `4. Resume — a real ${resume.tasks}-task run stopped mid-way: ${resume.events} events (${bytes(resume.eventLogBytes)}), snapshot ${bytes(resume.snapshotBytes)} with ${resume.children} task children; fresh store + runner each time, ${resume.reps} reps`,
  );
  out.push(
    table(
      ['operation', 'median ms'],
      [
        ['runner.inspect (read + validate + read-only restore)', ms(resume.inspectMedianMs)],
        ['runner.drive --step (lock, load, restore, 1 transition persisted, stop)', ms(resume.driveStepMedianMs)],
        ['  read events.jsonl', ms(resume.readEventsMs)],
        ['  validate events (EventRecordSchema)', ms(resume.validateEventsMs)],
        ['  read the stored state (snapshot.json + state lines applied)', ms(resume.readSnapshotMs)],
        ['  restoredView', ms(resume.restoreViewMs)],
        ['  createActor(snapshot) + start', ms(resume.restoreStartMs)],
        ['  stop (stopWithChildren: children first, then the root)', ms(resume.stopMs)],
      ],
    ),
  );
  out.push('');
  out.push(`5. fsync floor: write 100 B + fsync median ${ms(fsync.writeFsyncMedianMs)} ms, p95 ${ms(fsync.writeFsyncP95Ms)} ms (n=${fsync.n}); durable replace (temp, fsync, rename, fsync dir) median ${ms(fsync.durableReplaceMedianMs)} ms, p95 ${ms(fsync.durableReplaceP95Ms)} ms (n=${fsync.durableReplaceN})`);
  out.push('');
  out.push(...sandboxLines(sandbox));
  out.push('');
  out.push(cliLines(cli, statusAll));
  out.push('');
  out.push(...makespanLines(makespan));
  out.push('');
  out.push('Targets');
  out.push(table(['target', 'bound', 'measured', 'result'], targets.map((t) => [t.name, t.target, t.value, t.met ? 'met' : 'NOT MET']), 4));
  out.push(`bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
  const json = {
    bench: 'buran',
    date,
    machine,
    durationS: (Date.now() - started) / 1000,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    fsync,
    overhead,
    readyCost,
    transitions,
    latency,
    resume,
    sandbox,
    cli,
    statusAll,
    makespan,
    targets,
  };
  process.stdout.write(`${JSON.stringify(rounded(json))}\n`);
}

/** Task counts of the task-cost section, its timing runs per size and its concurrency. */
const TASK_COST_SIZES = [10, 30] as const;
const TASK_COST_REPS = 3;
const TASK_COST_CONCURRENCY = 4;

/** `--only=task-cost`: real runs with an instant worker, git processes counted by subcommand. */
async function taskCostOnly(): Promise<void> {
  const machine = machineInfo();
  const load = os.loadavg()[0] ?? NaN;
  const sizes: TaskCostSize[] = [];
  for (const n of TASK_COST_SIZES) sizes.push(await measureTaskCost(n, TASK_COST_CONCURRENCY, TASK_COST_REPS, progress));
  const targets = taskCostTargets(sizes);
  const out = [...reportHeader('task-cost', machine, load)];
  out.push(...taskCostLines(sizes, TASK_COST_CONCURRENCY, table), '');
  out.push(table(['target', 'bound', 'measured', 'result'], targets.map((t) => [t.name, t.target, t.value, t.met ? 'met' : 'NOT MET']), 4));
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(rounded({ bench: 'buran', only: 'task-cost', machine, taskCost: sizes, targets }))}\n`);
}

/** `--only=floor`: the processes of one task alone, beside the bounds of issue 15 items 1 and 5. */
async function floorOnly(): Promise<void> {
  const machine = machineInfo();
  const load = os.loadavg()[0] ?? NaN;
  progress(`floor: the processes of one task, ${FLOOR_TASKS} times`);
  const floor = await measureFloor(FLOOR_TASKS, MAKESPAN_SEED, MAKESPAN_DAGS);
  const out = [...reportHeader('floor', machine, load)];
  out.push(...floorLines(floor, machine.cores, table));
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(rounded({ bench: 'buran', only: 'floor', machine, floor }))}\n`);
}

/**
 * `--only=issue15`: every section with a target of issue 15 (the CLI, status
 * over all runs, task cost, the flat store, the real makespan) and the floor
 * under a task, one after another in one process, then every target in one table.
 */
async function issue15Only(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  const load = os.loadavg()[0] ?? NaN;
  const cli = await measureCli(CLI_N);
  const statusAll = await measureStatusAll(STATUS_ALL_SIZES, CLI_N);
  const sizes: TaskCostSize[] = [];
  for (const n of TASK_COST_SIZES) sizes.push(await measureTaskCost(n, TASK_COST_CONCURRENCY, TASK_COST_REPS, progress));
  const flat = await measureFlat();
  const makespan = await makespanStudy();
  progress(`floor: the processes of one task, ${FLOOR_TASKS} times`);
  const floor = await measureFloor(FLOOR_TASKS, numberOption('seed', MAKESPAN_SEED), numberOption('dags', MAKESPAN_DAGS));
  const targets = [...cliTargets(cli, statusAll), ...taskCostTargets(sizes), ...flatTargets(flat), ...makespanTargets(makespan)];
  const out = [...reportHeader('issue 15: every target in one run', machine, load)];
  out.push(cliLines(cli, statusAll), '');
  out.push(...taskCostLines(sizes, TASK_COST_CONCURRENCY, table), '');
  out.push(...flatLines(flat), '');
  out.push(...makespanLines(makespan), '');
  out.push(...floorLines(floor, machine.cores, table), '');
  out.push('Targets of issue 15');
  out.push(table(['target', 'bound', 'measured', 'result'], targets.map((t) => [t.name, t.target, t.value, t.met ? 'met' : 'NOT MET']), 4));
  out.push(`${targets.filter((t) => t.met).length} of ${targets.length} met; bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(rounded({ bench: 'buran', only: 'issue15', machine, loadAverage: { start: load, end: os.loadavg()[0] ?? NaN }, cli, statusAll, taskCost: sizes, flat, makespan, floor, targets }))}\n`);
}

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (only === undefined) await main();
else if (only === 'sandbox') await sandboxOnly();
else if (only === 'cli' || only === 'status-all') await cliOnly([only]);
else if (only === 'makespan') await makespanOnly();
else if (only === 'task-cost') await taskCostOnly();
else if (only === 'flat') await flatOnly();
else if (only === 'floor') await floorOnly();
else if (only === 'issue15') await issue15Only();
else throw new Error(`--only=${only}: the sections that run alone are sandbox, cli, status-all, makespan, task-cost, flat, floor and issue15`);
