// After an attempt has ended, nothing of it may keep running. Inside the
// sandbox the PID namespace sees to that; unsandboxed, a worker's descendants
// that left its process group (setsid, double fork) are found by the attempt
// id every worker process inherits in BURAN_ATTEMPT_ID, and killed. A process
// that cleared its environment escapes this (docs/security.md). Where the
// process table cannot read environments (POSIX ps), only the attempt's
// process group is killed: descendants that left it escape.
import { type ProcessFacts, signalGroup, signalProcess, systemProcessFacts } from '../platform/process.js';
import { attemptPaths } from './attemptFiles.js';
import { readPidRecord } from './attemptRecords.js';
import { ownsGroup } from './killAttempt.js';

/**
 * Kills every process still tagged with run `runId`'s `attemptId` (attempt ids repeat across runs); returns their pids.
 * Without environments to search, kills what is left of the process group recorded in `attemptDir` instead.
 */
export function sweepAttempt(runId: string, attemptId: string, attemptDir: string, facts: ProcessFacts = systemProcessFacts): number[] {
  const left = facts.processesWithEnv([`BURAN_RUN_ID=${runId}`, `BURAN_ATTEMPT_ID=${attemptId}`]);
  if (left === null) return sweepGroup(attemptDir, facts);
  for (const pid of left) signalProcess(pid, 'SIGKILL');
  return left;
}

/**
 * The sweep of an attempt this runner started in a PID namespace of its own
 * (bwrap `--unshare-pid`, with `--die-with-parent`): once its sandbox has
 * ended, the kernel has killed every process of the namespace, so no other
 * process can carry its tag; what may be left is its process group (the
 * supervisor, exiting), which gets SIGKILL. No scan of every process. Only for
 * attempts this runner confined itself (a re-attached attempt may have started
 * unconfined under another driver: sweepAttempt). True when the group was still there (a zombie leader counts).
 */
export function sweepConfinedAttempt(attemptDir: string, facts: ProcessFacts = systemProcessFacts): boolean {
  const pid = readPidRecord(attemptPaths(attemptDir).pid);
  return pid !== null && ownsGroup(pid, facts) && signalGroup(pid.pgid, 'SIGKILL');
}

/** The live members of the attempt's own group (never the runner's, see ownsGroup), killed. */
function sweepGroup(attemptDir: string, facts: ProcessFacts): number[] {
  const pid = readPidRecord(attemptPaths(attemptDir).pid);
  if (pid === null || !ownsGroup(pid, facts)) return [];
  const members = facts.groupMembers(pid.pgid);
  if (members.length > 0) signalGroup(pid.pgid, 'SIGKILL');
  return members;
}

/** The sweeps of one run's attempts: those marked `confined` (started by this driver in a PID namespace) by their group, the others by their tag. */
export function createRunSweeper(runId: string, attemptDir: (attemptId: string) => string): { confined(attemptId: string): void; sweep(attemptId: string): void } {
  const confined = new Set<string>();
  return {
    confined: (attemptId) => void confined.add(attemptId),
    sweep(attemptId) {
      if (confined.has(attemptId)) sweepConfinedAttempt(attemptDir(attemptId));
      else sweepAttempt(runId, attemptId, attemptDir(attemptId));
    },
  };
}
