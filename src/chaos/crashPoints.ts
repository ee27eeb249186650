// Named crash points at the durable boundaries of a run, for the chaos
// harness (test/chaos/). Inert unless an environment variable names one:
//   BURAN_CRASH_AT=<point>[:<nth>]  SIGKILL this process the nth time <point> is reached (default 1)
//   BURAN_FAULT_AT=<point>[:<nth>]  throw an ENOSPC error there instead (a full disk)
// The environment is read once, at the composition root (openProject); the
// store, worker and workspace layers receive the resulting function as an
// option and call it with one line at each boundary.
import { BuranError } from '../domain/errors.js';

/** Every crash point, in the order a run reaches them. Stable: the harness and docs name them. */
export const CRASH_POINTS = [
  /** spec.json and prompt.md written, intent.json not yet. */
  'dispatch.before-intent',
  /** intent.json durable, the supervisor not yet spawned. */
  'dispatch.after-intent',
  /** The worker runs under its supervisor; the dispatch outcome is not recorded yet. */
  'dispatch.after-spawn',
  /** The worker's completion was read and judged; the chart has not ingested it. */
  'completion.before-ingest',
  /** The attempt's changes are staged in the task worktree; the attempt commit is not made. */
  'commit.before-commit',
  /** The task branch is merged into the run branch; the merge outcome is not recorded. */
  'merge.after-merge',
  /** The handoff report is stored; the handoff outcome is not recorded. */
  'handoff.after-report',
  /** Half of an events batch is written and synced (a torn append). */
  'events.mid-append',
  /** An events batch is durable; the state that includes it is not written. */
  'events.after-append',
  /** The new state is written only in part: half a state line appended and synced, or a new base snapshot in its synced temp file, not yet renamed over snapshot.json. */
  'snapshot.mid-write',
] as const;

export type CrashPointName = (typeof CRASH_POINTS)[number];

/** Called at each boundary; does nothing unless this point was named. */
export type CrashPoint = (name: CrashPointName) => void;

/** The inert crash point every option defaults to. */
export const noCrash: CrashPoint = () => undefined;

export const CRASH_ENV = 'BURAN_CRASH_AT';
export const FAULT_ENV = 'BURAN_FAULT_AT';

export interface CrashSpec {
  readonly point: CrashPointName;
  readonly nth: number;
}

const isPoint = (value: string): value is CrashPointName => (CRASH_POINTS as readonly string[]).includes(value);

/**
 * Parse `<point>[:<nth>]`; undefined or '' is null (inert). An unknown point or
 * a bad count is invalid_input, so a typo cannot silently disable a test. Pure.
 */
export function parseCrashSpec(variable: string, value: string | undefined): CrashSpec | null {
  if (value === undefined || value === '') return null;
  const [point = '', nthText, ...rest] = value.split(':');
  const nth = nthText === undefined ? 1 : Number(nthText);
  if (!isPoint(point) || rest.length > 0 || !Number.isInteger(nth) || nth < 1) {
    throw new BuranError({
      code: 'invalid_input',
      message: `${variable}=${value}: expected <point>[:<nth>] with nth >= 1 and point one of ${CRASH_POINTS.join(', ')}`,
      details: { variable, value, points: [...CRASH_POINTS] },
    });
  }
  return { point, nth };
}

/** The error a full disk gives a write (what BURAN_FAULT_AT injects). */
export function enospcError(point: CrashPointName): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, write (injected at ${point})`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

export interface CrashActions {
  /** Default: SIGKILL this process (no cleanup of any kind, like a power cut of the runner). */
  readonly kill?: () => void;
}

/**
 * The crash point function for an environment: inert (`noCrash`) when neither
 * variable is set. Counts hits per point in this process.
 * @example
 * const crash = crashPointsFrom(process.env); // BURAN_CRASH_AT=events.after-append:3
 * crash('events.after-append'); // the third call SIGKILLs the process
 */
export function crashPointsFrom(env: Readonly<Record<string, string | undefined>>, actions: CrashActions = {}): CrashPoint {
  const crash = parseCrashSpec(CRASH_ENV, env[CRASH_ENV]);
  const fault = parseCrashSpec(FAULT_ENV, env[FAULT_ENV]);
  if (crash === null && fault === null) return noCrash;
  const kill = actions.kill ?? (() => process.kill(process.pid, 'SIGKILL'));
  const hits = new Map<CrashPointName, number>();
  return (name) => {
    const n = (hits.get(name) ?? 0) + 1;
    hits.set(name, n);
    if (crash !== null && crash.point === name && crash.nth === n) kill();
    if (fault !== null && fault.point === name && fault.nth === n) throw enospcError(name);
  };
}
