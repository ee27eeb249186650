// Ending an attempt: its whole process group, with the reason recorded first.
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_GRACE_MS } from './attempt.js';
import { createFileDurableSync } from '../platform/durableWrite.js';
import { type KillReason, type KillRecord, type PidRecord, attemptPaths } from './attemptFiles.js';
import { readPidRecord } from './attemptRecords.js';
import { type ProcessFacts, isGroupAlive, isProcessAlive, signalGroup, signalProcess, systemProcessFacts } from '../platform/process.js';

export interface KillOptions {
  /** Recorded in kill.json (the first reason recorded wins). Default `cancel`. */
  readonly reason?: KillReason;
  /** SIGTERM → SIGKILL grace (ms). */
  readonly graceMs?: number;
  readonly now?: () => number;
}

export interface KillResult {
  /** Whether any process of the attempt was still there to signal. */
  readonly signalled: boolean;
  /** Whether SIGKILL was needed after the grace period. */
  readonly forced: boolean;
}

/**
 * End an attempt's whole process group (supervisor, worker and anything the
 * worker started in it): record why in kill.json, SIGTERM (and SIGCONT, so a
 * stopped process can act on it), wait `graceMs`, SIGKILL, then wait until no
 * live member remains. Idempotent.
 */
export async function killAttempt(attemptDir: string, options: KillOptions = {}): Promise<KillResult> {
  const paths = attemptPaths(attemptDir);
  const pid = readPidRecord(paths.pid);
  if (pid === null) return { signalled: false, forced: false };
  const record: KillRecord = { reason: options.reason ?? 'cancel', requestedAt: (options.now ?? Date.now)(), by: 'runner' };
  createFileDurableSync(paths.kill, `${JSON.stringify(record)}\n`);
  if (!ownsGroup(pid)) return { signalled: false, forced: false };
  const workerAlive = () => pid.workerPid !== null && isProcessAlive(pid.workerPid, pid.workerStartTime);
  const alive = () => isGroupAlive(pid.pgid) || workerAlive();
  if (!alive()) return { signalled: false, forced: false };

  const signal = (name: NodeJS.Signals) => {
    signalGroup(pid.pgid, name);
    // A worker that moved itself to another group is still ours by pid and start time.
    if (pid.workerPid !== null && workerAlive()) signalProcess(pid.workerPid, name);
  };
  signal('SIGTERM');
  signal('SIGCONT');
  if (await until(() => !alive(), options.graceMs ?? DEFAULT_GRACE_MS)) return { signalled: true, forced: false };
  signal('SIGKILL');
  await until(() => !alive(), 5_000);
  return { signalled: true, forced: true };
}

/**
 * The group is ours unless the record is implausible, or its leader pid now belongs to a different process
 * (pid reuse). While any of our members live, the kernel does not reuse the
 * group id, so a leaderless group is still ours.
 */
export function ownsGroup(pid: PidRecord, facts: ProcessFacts = systemProcessFacts): boolean {
  // The supervisor leads its group; anything else in pid.json (a damaged or forged
  // record) must not turn into a signal to this runner's group or to init.
  if (pid.pgid !== pid.supervisorPid || pid.pgid <= 1 || pid.pgid === facts.readProcStat(process.pid)?.pgrp) return false;
  const leader = facts.readProcStat(pid.pgid);
  return leader === null || leader.state === 'Z' || leader.startTime === pid.supervisorStartTime;
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
}
