// Unsandboxed leftovers of an attempt (a setsid'd grandchild, outside the worker's process group) are found by the
// attempt id they inherited and killed; a process with another id is left alone.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, processesWithEnv } from '../../src/platform/process.js';
import { sweepAttempt } from '../../src/worker/sweepAttempt.js';

const sleeper = (attemptId: string) => {
  // setsid: the sleeper leads its own session and group, as a daemonising worker's child would.
  const child = spawn('setsid', ['sleep', '30'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BURAN_ATTEMPT_ID: attemptId }, stdio: 'ignore', detached: true });
  child.unref();
  return child;
};

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
};

describe('sweepAttempt', () => {
  it('kills the processes tagged with the attempt id and only those', async () => {
    const mine = `sweep-${process.pid}-a1`;
    const other = `sweep-${process.pid}-b1`;
    sleeper(mine);
    sleeper(other);
    expect(await waitFor(() => processesWithEnv(`BURAN_ATTEMPT_ID=${mine}`).length === 1 && processesWithEnv(`BURAN_ATTEMPT_ID=${other}`).length === 1)).toBe(true);
    const [survivor = 0] = processesWithEnv(`BURAN_ATTEMPT_ID=${other}`);

    const killed = sweepAttempt(mine);
    expect(killed).toHaveLength(1);
    expect(await waitFor(() => processesWithEnv(`BURAN_ATTEMPT_ID=${mine}`).length === 0)).toBe(true);
    expect(isProcessAlive(survivor)).toBe(true);
    expect(sweepAttempt(other)).toEqual([survivor]);
  });
});
