// The makespan study as text: the schedules side by side, where buran's time
// went, and the two targets.
import { MAKESPAN_TARGETS, type MakespanStudy } from './makespan.js';
import os from 'node:os';
import { median, table } from './stats.js';

export interface MakespanTarget {
  readonly name: string;
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '—');
const x = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—');
const msCell = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : '—');

export function makespanTargets(study: MakespanStudy): MakespanTarget[] {
  const failed = study.dags.filter((d) => d.exitCode !== 0).map((d) => `DAG ${d.index} exited ${String(d.exitCode)}`);
  const worst = study.dags.find((d) => d.ratio === study.worstRatio) ?? null;
  const note = failed.length > 0 ? `; ${failed.join(', ')}` : '';
  return [
    {
      name: `real makespan ÷ lower bound, median of ${study.dags.length} DAGs (1–4 s tasks, K=${study.concurrency}, seed ${study.seed})`,
      target: `≤ ${MAKESPAN_TARGETS.medianRatio.toFixed(2)}×`,
      value: `${x(study.medianRatio)}${note}`,
      met: study.allHandedOff && study.dags.length > 0 && study.medianRatio <= MAKESPAN_TARGETS.medianRatio,
    },
    {
      name: 'real makespan ÷ lower bound, every DAG',
      target: `≤ ${MAKESPAN_TARGETS.worstRatio.toFixed(2)}×`,
      value: `worst ${x(study.worstRatio)}${worst === null ? '' : ` (DAG ${worst.index})`}${note}`,
      met: study.allHandedOff && study.dags.length > 0 && study.worstRatio <= MAKESPAN_TARGETS.worstRatio,
    },
  ];
}

/** The run's CPU spread over every core, as a multiple of the lower bound. */
function cpuFloor(study: MakespanStudy): string {
  return x(median(study.dags.map((d) => (d.cpuPerTaskMs * d.tasks) / os.cpus().length / d.lowerBoundMs)));
}

export function makespanLines(study: MakespanStudy): string[] {
  const { shape } = study;
  return [
    `8. Real makespan — ${study.dags.length} seeded random DAGs (seed ${study.seed}; repeat with --seed=${study.seed}), ${shape.minTasks}–${shape.maxTasks} tasks, each a command worker sleeping ${shape.minMs / 1000}–${shape.maxMs / 1000} s;`,
    `   real \`buran approve\` + \`buran run\` (dist/), K=${study.concurrency}, sandbox auto, verification \`true\`, built-in review. Seconds; ratios to the lower bound max(critical path, work / K)`,
    table(
      ['DAG', 'tasks', 'edges', 'work', 'crit. path', 'lower bound', 'list (0 overhead)', 'waves', 'sequential', 'buran', 'buran ÷ LB', 'list ÷ LB', 'waves ÷ LB', 'seq ÷ LB', 'exit'],
      study.dags.map((d) => [
        String(d.index),
        String(d.tasks),
        String(d.edges),
        s(d.workMs),
        s(d.criticalPathMs),
        s(d.lowerBoundMs),
        s(d.listMs),
        s(d.wavesMs),
        s(d.sequentialMs),
        s(d.buranMs),
        x(d.ratio),
        x(d.listRatio),
        x(d.wavesRatio),
        x(d.sequentialRatio),
        String(d.exitCode),
      ]),
    ),
    `median buran ÷ lower bound ${x(study.medianRatio)} (target ≤ ${MAKESPAN_TARGETS.medianRatio.toFixed(2)}×), worst ${x(study.worstRatio)} (target ≤ ${MAKESPAN_TARGETS.worstRatio.toFixed(2)}× for every DAG)`,
    `CPU of buran and the processes it started: median ${msCell(median(study.dags.map((d) => d.cpuPerTaskMs)))} ms per task (the engine process ${msCell(median(study.dags.map((d) => d.engineCpuPerTaskMs)))} ms); on this machine's ${os.cpus().length} cores that alone needs ${cpuFloor(study)} of the lower bound (median over the DAGs)`,
    '',
    'where the time went (ms; per task: median / p95 over the DAG\'s tasks):',
    table(
      ['DAG', 'CPU/task', 'engine CPU/task', 'start → 1st dispatch', 'last pass → exit', 'overhead/task', 'dispatch → worker up', 'completion → outcome', 'verify', 'review', 'commit + merge', 'a pass → next dispatch (med/max)', 'list on measured task times', '÷ buran'],
      study.dags.map((d) => {
        const p = d.phases;
        const mp = (v: { median: number; p95: number }) => `${msCell(v.median)} / ${msCell(v.p95)}`;
        return [
          String(d.index),
          msCell(d.cpuPerTaskMs),
          msCell(d.engineCpuPerTaskMs),
          msCell(p.startupMs),
          msCell(p.tailMs),
          mp(p.overhead),
          mp(p.spawn),
          mp(p.detect),
          mp(p.verify),
          mp(p.review),
          mp(p.merge),
          `${msCell(p.dispatchLag.median)} / ${msCell(p.dispatchLag.max)}`,
          s(p.listOnMeasuredMs),
          x(p.listOnMeasuredMs / d.buranMs),
        ];
      }),
    ),
    '(CPU/task = CPU of `buran run` and every process it reaped (git, supervisors, sandboxes, workers, verification), divided by the tasks;',
    'engine CPU/task = the `buran run` process alone (its last /proc sample before it exited).',
    'overhead/task = dispatch granted → task passed, minus its sleep: the time buran holds the slot beyond the work. "list on measured task times" is the',
    'zero-overhead critical-path schedule rerun with each task taking its measured slot time, plus the start and the end: near 1.00× of buran means',
    'the excess is per-task cost, not the order or timing of dispatches)',
  ];
}
