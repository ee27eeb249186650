// Unsandboxed leftovers of an attempt (a setsid'd grandchild, outside the worker's process group) are found by the
// attempt id they inherited and killed; a process with another id is left alone.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, processesWithEnv } from '../../src/platform/process.js';
import { sweepAttempt } from '../../src/worker/sweepAttempt.js';

const RUN = `sweep-run-${process.pid}`;
const sleeper = (attemptId: string, runId = RUN) => {
  // setsid: the sleeper leads its own session and group, as a daemonising worker's child would.
  const child = spawn('setsid', ['sleep', '30'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BURAN_RUN_ID: runId, BURAN_ATTEMPT_ID: attemptId }, stdio: 'ignore', detached: true });
  child.unref();
  return child;
};

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
};

describe('sweepAttempt', () => {
  it('kills the processes tagged with the run and attempt id and only those (the same attempt id of another run is left alone)', async () => {
    const OTHER_RUN = `${RUN}-other`;
    const tagged = (runId: string, attemptId: string) => processesWithEnv([`BURAN_RUN_ID=${runId}`, `BURAN_ATTEMPT_ID=${attemptId}`]);
    sleeper('a.a1');
    sleeper('b.a1');
    sleeper('a.a1', OTHER_RUN);
    expect(await waitFor(() => tagged(RUN, 'a.a1').length === 1 && tagged(RUN, 'b.a1').length === 1 && tagged(OTHER_RUN, 'a.a1').length === 1)).toBe(true);
    const [sameAttemptOtherRun = 0] = tagged(OTHER_RUN, 'a.a1');
    const [otherAttempt = 0] = tagged(RUN, 'b.a1');

    expect(sweepAttempt(RUN, 'a.a1')).toHaveLength(1);
    expect(await waitFor(() => tagged(RUN, 'a.a1').length === 0)).toBe(true);
    expect(isProcessAlive(sameAttemptOtherRun)).toBe(true);
    expect(isProcessAlive(otherAttempt)).toBe(true);
    expect(sweepAttempt(RUN, 'b.a1')).toEqual([otherAttempt]);
    expect(sweepAttempt(OTHER_RUN, 'a.a1')).toEqual([sameAttemptOtherRun]);
  });
});
