// Supervisors started ahead of their attempts ("warm"). Starting Node is most
// of an attempt's start (about 100 ms of CPU, a few hundred ms of wall on a
// busy machine); a warm supervisor has done it while the run did other work,
// and waits, blocked on its stdin, for an attempt. Each still supervises one
// attempt only, and nothing changes in the order of an attempt's start: the
// runner records the intent first, then hands the supervisor the folder (and
// the worker's environment, through the pipe: never on disk); the supervisor
// claims the folder exclusively as a cold one does. A spare nobody takes is
// retired after `idleMs` (its pipe is closed and it exits), and every spare
// sees its pipe close when the runner's process ends.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { WARM_FLAG, assignmentLine, type SupervisorAssignment } from './supervisorAssignment.js';

/** How long a spare may wait for an attempt before it is retired (ms). */
export const DEFAULT_SPARE_IDLE_MS = 30_000;

/** A started supervisor waiting for its attempt. */
export interface WarmSupervisor {
  readonly child: ChildProcess;
  /** Hand it its attempt (after the intent is recorded); false when it is gone (start one cold). */
  assign(assignment: Omit<SupervisorAssignment, 'schema'>): boolean;
}

export interface SupervisorPool {
  /** A waiting supervisor, or null (none is ready yet: start one cold); either way the pool refills to its size. */
  take(): WarmSupervisor | null;
  /** Start the spares now (attempts are about to start), so the first ones find them waiting. */
  warm(): void;
  /** Retire every spare; take() returns null from now on. */
  close(): void;
}

export interface SupervisorPoolOptions {
  /** argv that starts the supervisor (supervisorCommand()); WARM_FLAG is appended. */
  readonly command: readonly string[];
  /** Spares kept waiting once the pool is in use. */
  readonly size: number;
  readonly idleMs?: number;
}

interface Spare {
  readonly child: ChildProcess;
  readonly timer: NodeJS.Timeout;
}

const waiting = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null && child.stdin?.writable === true;

/**
 * A pool of warm supervisors. Empty until first asked (warm() or take()),
 * so a process that never dispatches starts none.
 * @example
 * const pool = createSupervisorPool({ command: supervisorCommand(), size: 2 });
 * await startAttempt({ attemptDir, invocation, timeoutMs, pool });
 */
export function createSupervisorPool(o: SupervisorPoolOptions): SupervisorPool {
  const spares: Spare[] = [];
  let closed = false;
  const retire = (spare: Spare): void => {
    clearTimeout(spare.timer);
    const at = spares.indexOf(spare);
    if (at >= 0) spares.splice(at, 1);
    spare.child.stdin?.end();
  };
  const start = (): boolean => {
    const [file, ...args] = o.command;
    if (file === undefined) return false;
    let child: ChildProcess;
    try {
      // Detached: it leads its own process group, as every supervisor must. No environment of the runner's.
      child = spawn(file, [...args, WARM_FLAG], { cwd: '/', env: {}, detached: true, stdio: ['pipe', 'ignore', 'ignore'], shell: false });
    } catch {
      return false; // not started: the attempt starts a cold supervisor, which reports why
    }
    child.unref();
    // A spare must not keep the runner's process alive, nor fail it when it is gone (EPIPE).
    const stdin = child.stdin as Socket | null;
    stdin?.unref();
    stdin?.on('error', () => undefined);
    const spare: Spare = { child, timer: setTimeout(() => retire(spare), o.idleMs ?? DEFAULT_SPARE_IDLE_MS) };
    spare.timer.unref();
    const gone = () => retire(spare);
    child.once('exit', gone);
    child.once('error', gone);
    spares.push(spare);
    return true;
  };
  const fill = (): void => {
    for (let n = spares.length; n < o.size; n += 1) if (!start()) break;
  };
  return {
    warm() {
      if (!closed) fill();
    },
    take() {
      if (closed) return null;
      let spare = spares.shift();
      while (spare !== undefined && !waiting(spare.child)) {
        retire(spare);
        spare = spares.shift();
      }
      if (spare !== undefined) clearTimeout(spare.timer);
      fill();
      if (spare === undefined) return null;
      const { child } = spare;
      return {
        child,
        assign(assignment) {
          if (!waiting(child)) return false;
          child.stdin?.end(assignmentLine(assignment));
          return true;
        },
      };
    },
    close() {
      closed = true;
      for (const spare of [...spares]) retire(spare);
    },
  };
}

/** Spares kept by the process's shared pool: a pass frees one slot at a time, two cover near-simultaneous passes. */
export const SHARED_POOL_SIZE = 2;

const shared = new Map<string, SupervisorPool>();

/**
 * The process's pool for `command`: spares carry nothing of a run (their
 * attempt, environment included, arrives with the assignment), so every run
 * this process drives shares them, and a process holds at most
 * SHARED_POOL_SIZE idle supervisors however many runs it drives.
 */
export function sharedSupervisorPool(command: readonly string[]): SupervisorPool {
  const key = command.join('\0');
  let pool = shared.get(key);
  if (pool === undefined) {
    pool = createSupervisorPool({ command, size: SHARED_POOL_SIZE });
    shared.set(key, pool);
  }
  return pool;
}
