// Where a real run's time went, from its event log and its workers' own time
// stamps: per task, the steps between the dispatch and the pass; per run, the
// start before the first dispatch and the end after the last pass. Pure.
import type { EventRecord } from '../../src/domain/events.js';
import { type Instance, criticalPathFirst, simulate } from './schedule.js';
import { summary } from './stats.js';

/** One line the makespan worker appended (epoch ms): `start` when it began, `end` after its completion was written. */
export interface WorkerStamp {
  readonly task: string;
  readonly attempt: string;
  readonly start?: number;
  readonly end?: number;
}

/** Epoch ms of each step of one task (NaN when the step is missing). */
export interface TaskTimes {
  readonly id: string;
  /** The engine granted the dispatch (the task's first `working.dispatching`). */
  readonly grantedAt: number;
  /** The worker's own first line, inside its sandbox. */
  readonly workerStartAt: number;
  /** The worker's last line, its completion written. */
  readonly workerEndAt: number;
  /** The engine had the outcome (`working.verifying`). */
  readonly completedAt: number;
  readonly verifiedAt: number;
  readonly reviewedAt: number;
  /** Merged into the run's branch (`working.passed`). */
  readonly passedAt: number;
  readonly attempts: number;
}

const at = (e: EventRecord): number => Date.parse(e.ts);

/** The times of every task of `ids` (tasks without events get NaN). */
export function taskTimes(ids: readonly string[], events: readonly EventRecord[], stamps: readonly WorkerStamp[]): TaskTimes[] {
  return ids.map((id) => {
    const own = events.filter((e) => e.type === 'task_transition' && e.taskId === id);
    const first = (to: string) => own.find((e) => e.to === to);
    const last = (to: string) => own.findLast((e) => e.to === to);
    const time = (e: EventRecord | undefined) => (e === undefined ? Number.NaN : at(e));
    const mine = stamps.filter((s) => s.task === id);
    return {
      id,
      grantedAt: time(first('working.dispatching')),
      workerStartAt: mine.find((s) => s.start !== undefined)?.start ?? Number.NaN,
      workerEndAt: mine.findLast((s) => s.end !== undefined)?.end ?? Number.NaN,
      completedAt: time(last('working.verifying')),
      verifiedAt: time(last('working.reviewing')),
      reviewedAt: time(last('working.merging')),
      passedAt: time(last('working.passed')),
      attempts: new Set(mine.map((s) => s.attempt)).size,
    };
  });
}

type Summary = ReturnType<typeof summary>;

/** Run-level breakdown; every duration in ms. */
export interface RunPhases {
  /** `buran run` started → first dispatch granted (CLI start, lock, intake, preflight, run worktree). */
  readonly startupMs: number;
  /** Last task passed → `buran run` exited (the run's own verification, review, handoff). */
  readonly tailMs: number;
  /** Per task: (passed − granted) − the task's duration: what buran adds while the task holds its slot. */
  readonly overhead: Summary;
  /** Granted → the worker's first line (intent, supervisor, sandbox, node start). */
  readonly spawn: Summary;
  /** The worker's completion written → the engine has the outcome. */
  readonly detect: Summary;
  /** Task verification, built-in review, commit and merge: each step's duration. */
  readonly verify: Summary;
  readonly review: Summary;
  readonly merge: Summary;
  /**
   * Each dispatch after the first wave: the latest task pass before it → the
   * grant. A pass is what frees a slot or a dependent, so this is how long the
   * engine took to use it.
   */
  readonly dispatchLag: Summary;
  /**
   * The zero-overhead critical-path schedule again, but each task taking its
   * measured slot time (granted → passed), plus startup and tail: what the
   * makespan would be if buran's only cost were inside each task's slot.
   */
  readonly listOnMeasuredMs: number;
}

export function runPhases(inst: Instance, times: readonly TaskTimes[], spawnedAt: number, exitedAt: number): RunPhases {
  const passes = times.map((t) => t.passedAt).filter(Number.isFinite);
  const each = (f: (t: TaskTimes) => number) => summary(times.map(f).filter(Number.isFinite));
  const firstGrant = Math.min(...times.map((t) => t.grantedAt));
  const lastPass = Math.max(...times.map((t) => t.passedAt));
  const slot = new Map(times.map((t) => [t.id, t.passedAt - t.grantedAt]));
  const startupMs = firstGrant - spawnedAt;
  const tailMs = exitedAt - lastPass;
  const measurable = [...slot.values()].every(Number.isFinite);
  return {
    startupMs,
    tailMs,
    overhead: each((t) => t.passedAt - t.grantedAt - (inst.durations.get(t.id) ?? Number.NaN)),
    spawn: each((t) => t.workerStartAt - t.grantedAt),
    detect: each((t) => t.completedAt - t.workerEndAt),
    verify: each((t) => t.verifiedAt - t.completedAt),
    review: each((t) => t.reviewedAt - t.verifiedAt),
    merge: each((t) => t.passedAt - t.reviewedAt),
    dispatchLag: summary(
      times.flatMap((t) => {
        const before = passes.filter((p) => p <= t.grantedAt);
        return before.length === 0 ? [] : [t.grantedAt - Math.max(...before)];
      }),
    ),
    listOnMeasuredMs: measurable ? startupMs + simulate({ ...inst, durations: slot }, criticalPathFirst) + tailMs : Number.NaN,
  };
}
