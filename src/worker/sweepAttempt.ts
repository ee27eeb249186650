// After an attempt has ended, nothing of it may keep running. Inside the
// sandbox the PID namespace sees to that; unsandboxed, a worker's descendants
// that left its process group (setsid, double fork) are found by the attempt
// id every worker process inherits in BURAN_ATTEMPT_ID, and killed. A process
// that cleared its environment escapes this (docs/security.md).
import { processesWithEnv, signalProcess } from '../platform/process.js';

/** Kills every process still tagged with run `runId`'s `attemptId` (attempt ids repeat across runs); returns their pids. */
export function sweepAttempt(runId: string, attemptId: string): number[] {
  const left = processesWithEnv([`BURAN_RUN_ID=${runId}`, `BURAN_ATTEMPT_ID=${attemptId}`]);
  for (const pid of left) signalProcess(pid, 'SIGKILL');
  return left;
}
