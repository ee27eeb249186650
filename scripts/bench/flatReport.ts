// `npm run -s bench -- --only=flat`: the flat-store section alone, with its
// targets (issue 15, item 4) and one JSON line.
import os from 'node:os';
import { type EngineCpu, type FlushAtSize, measureFlushAt } from './flat.js';
import { machineInfo, reportHeader } from './machine.js';
import type { ResumeResult } from './resume.js';
import { bytes, ms, progress, round, table } from './stats.js';

/** `--sizes=10,10000` measures those sizes only (the ratios need 10 and 10,000; the largest is also resumed). */
const SIZES: readonly number[] = (() => {
  const raw = process.argv.find((a) => a.startsWith('--sizes='))?.slice('--sizes='.length);
  if (raw === undefined) return [10, 100, 1000, 10_000];
  return raw.split(',').map(Number);
})();
const FLUSHES = 60;
const RATIO = 1.5;
const MAX_FSYNCS = 3;
const RESUME_REPS = 3;
const RESUME_MS = 300;

export interface FlatStudy {
  readonly flushes: readonly FlushAtSize[];
  /** The smallest size again at the end (the load moves during the section). */
  readonly again: FlushAtSize;
  readonly engines: readonly EngineCpu[];
  readonly resume: ResumeResult;
}

export interface FlatTarget {
  readonly name: string;
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

/** The flat-store section's figures (about 10 s here). */
export async function measureFlat(): Promise<FlatStudy> {
  const flushes: FlushAtSize[] = [];
  const engines: EngineCpu[] = [];
  progress('warm-up (not reported): 100 tasks');
  await measureFlushAt(100, 20);
  let resumed: ResumeResult | null = null;
  const largest = Math.max(...SIZES);
  for (const n of SIZES) {
    progress(`flat store: ${n} tasks, half-way run, then ${FLUSHES} one-step flushes on the file store${n === largest ? `, then ${RESUME_REPS} resumes of it` : ''}`);
    const { flush, engine, resume } = await measureFlushAt(n, FLUSHES, n === largest ? RESUME_REPS : 0);
    flushes.push(flush);
    engines.push(engine);
    resumed = resume ?? resumed;
  }
  if (resumed === null) throw new Error('no size measured');
  // The smallest size again at the end: the machine's load moves during the section; both figures are shown.
  progress(`flat store: ${SIZES[0] ?? 10} tasks again (load check)`);
  const again = (await measureFlushAt(SIZES[0] ?? 10, FLUSHES)).flush;
  return { flushes, again, engines, resume: resumed };
}

/** Its four targets (issue 15, item 4). */
export function flatTargets({ flushes, engines, resume }: FlatStudy): FlatTarget[] {
  const at = <T extends { tasks: number }>(xs: readonly T[], n: number): T | undefined => xs.find((x) => x.tasks === n);
  const small = at(flushes, 10);
  const big = at(flushes, 10_000);
  const flushRatio = (big?.flushMsMedian ?? NaN) / (small?.flushMsMedian ?? NaN);
  // The whole drives' CPU per task passed: the window from the first pass to the last is too short at 10 tasks (8 pass at once).
  const cpuRatio = (at(engines, 10_000)?.driveCpuMsPerTask ?? NaN) / (at(engines, 10)?.driveCpuMsPerTask ?? NaN);
  const fsyncsMax = Math.max(...flushes.map((f) => f.fsyncsMax));
  return [
    { name: 'flush (one persisted step) flat', target: `median at 10,000 tasks ≤ ${RATIO}× at 10`, value: `${flushRatio.toFixed(2)}× (${ms(small?.flushMsMedian ?? NaN)} → ${ms(big?.flushMsMedian ?? NaN)} ms; mean ${ms(small?.flushMsMean ?? NaN)} → ${ms(big?.flushMsMean ?? NaN)} ms)`, met: flushRatio <= RATIO },
    { name: 'fsyncs per flush (events + state)', target: `≤ ${MAX_FSYNCS}`, value: `max ${fsyncsMax}`, met: fsyncsMax <= MAX_FSYNCS },
    { name: 'engine CPU per task flat', target: `at 10,000 tasks ≤ ${RATIO}× at 10`, value: `${cpuRatio.toFixed(2)}× (${ms(at(engines, 10)?.driveCpuMsPerTask ?? NaN)} → ${ms(at(engines, 10_000)?.driveCpuMsPerTask ?? NaN)} ms, whole drives)`, met: cpuRatio <= RATIO },
    { name: `resume of a ${resume.tasks}-task run (drive --step, median)`, target: `≤ ${RESUME_MS} ms`, value: `${ms(resume.driveStepMedianMs)} ms (inspect ${ms(resume.inspectMedianMs)} ms; ${resume.events} events, ${resume.children} children)`, met: resume.driveStepMedianMs <= RESUME_MS },
  ];
}

/** The section's tables. */
export function flatLines({ flushes, again, engines, resume }: FlatStudy): string[] {
  const out: string[] = [];
  out.push(`Flush cost — a real run of n tasks stopped half-way (scripted instant effects, memory store), its files copied into a file store, then driven on with effects answering one at a time, each after the previous flush is done: ${FLUSHES} flushes timed (Persister.flush: state taken, events appended, state line appended, index)`);
  out.push(
    table(
      ['tasks', 'start: events / passed', 'base', 'flushes', 'events/flush', 'flush ms median', 'mean', 'p95', 'fsyncs (max / mean)', 'index writes', 'state line (median)'],
      [...flushes, again].map((f, i) => [i === flushes.length ? `${f.tasks} (again, last)` : String(f.tasks), `${f.startEvents} / ${f.startPassed}`, bytes(f.baseBytes), String(f.flushes), f.eventsPerFlush.toFixed(1), ms(f.flushMsMedian), ms(f.flushMsMean), ms(f.flushMsP95), `${f.fsyncsMax} / ${f.fsyncsMean.toFixed(2)}`, String(f.indexWrites), bytes(f.stateLineBytesMedian)]),
    ),
  );
  out.push('', 'Engine CPU per task — the same runs on the memory store, one step per flush: the whole drive (a whole run at 10 tasks, 5,000 events at 10,000) ÷ tasks passed, and the window from the first task passed to the last');
  out.push(table(['tasks', 'drive: tasks passed', 'drive CPU ms/task', 'window: tasks passed', 'window CPU ms/task', 'window wall ms/task'], engines.map((e) => [String(e.tasks), String(e.drivePassed), ms(e.driveCpuMsPerTask), String(e.passed), ms(e.cpuMsPerTask), ms(e.wallMsPerTask)])));
  out.push('', `Resume — the ${resume.tasks}-task run above as its flushes left it on the file store, ${resume.events} events, copied as stored into a fresh store per rep: events ${bytes(resume.eventLogBytes)}, base snapshot ${bytes(resume.snapshotBytes)} + state lines ${bytes(resume.stateLineBytes)}, ${resume.children} task children`);
  out.push(
    table(
      ['operation', 'median ms'],
      [
        ['runner.inspect', ms(resume.inspectMedianMs)],
        ['runner.drive --step', ms(resume.driveStepMedianMs)],
        ['  read events.jsonl', ms(resume.readEventsMs)],
        ['  validate events', ms(resume.validateEventsMs)],
        ['  read the state (base + lines applied, chain checked)', ms(resume.readSnapshotMs)],
        ['  restoredView', ms(resume.restoreViewMs)],
        ['  createActor(snapshot) + start', ms(resume.restoreStartMs)],
        ['  stop', ms(resume.stopMs)],
      ],
    ),
  );
  return out;
}

/** `npm run -s bench -- --only=flat`. */
export async function flatOnly(): Promise<void> {
  const machine = machineInfo();
  const load = os.loadavg()[0] ?? NaN;
  const study = await measureFlat();
  const targets = flatTargets(study);
  const { flushes, again, engines, resume } = study;
  const out = [...reportHeader('flat', machine, load), ...flatLines(study)];
  out.push('', table(['target', 'bound', 'measured', 'result'], targets.map((t) => [t.name, t.target, t.value, t.met ? 'met' : 'NOT MET']), 4));
  const rounded = JSON.parse(JSON.stringify({ bench: 'buran', only: 'flat', machine, flushes, again, engines, resume, targets }, (_k, v: unknown) => (typeof v === 'number' ? round(v) : v))) as unknown;
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(rounded)}\n`);
}
