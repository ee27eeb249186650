// What lets the runner sweep a confined attempt by its process group alone (sweepConfinedAttempt): under bubblewrap a
// daemon the worker leaves (setsid) dies with the sandbox's PID namespace when the worker exits, while the same worker
// unconfined leaves it running (it is then found by its tag, sweepAttempt).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processesWithEnv, signalProcess } from '../../src/platform/process.js';
import { createBwrapSandbox, probeBwrap, type SandboxPlan } from '../../src/sandbox/index.js';
import { startAttempt } from '../../src/worker/attempt.js';
import { attemptPaths } from '../../src/worker/attemptFiles.js';
import { confineInvocation } from '../../src/worker/confine.js';
import { sweepConfinedAttempt } from '../../src/worker/sweepAttempt.js';
import { waitForOutcome } from '../../src/worker/waitForOutcome.js';

const probe = await probeBwrap();
const root = mkdtempSync(join(tmpdir(), 'buran-pidns-'));
const tag = `pidns-${process.pid}`;
afterAll(() => {
  for (const pid of processesWithEnv([`BURAN_RUN_ID=${tag}`]) ?? []) signalProcess(pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const tagged = () => processesWithEnv([`BURAN_RUN_ID=${tag}`]) ?? [];
const settled = async (check: () => boolean) => {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return check();
};

async function runDaemonWorker(name: string, confined: boolean): Promise<{ attemptDir: string; reason: string }> {
  const worktree = join(root, name, 'worktree');
  const attemptDir = join(root, name, 'attempt');
  mkdirSync(worktree, { recursive: true });
  const invocation = { argv: ['/bin/sh', '-c', 'setsid sleep 30 </dev/null >/dev/null 2>&1 & sleep 0.3; exit 0'], env: { PATH: '/usr/bin:/bin', BURAN_RUN_ID: tag, BURAN_ATTEMPT_ID: `${name}.a1` }, cwd: worktree };
  const plan: SandboxPlan | undefined = confined && probe.ok ? { sandbox: createBwrapSandbox(probe.path), storeDir: join(root, name, 'store'), repoRoot: worktree, network: false } : undefined;
  await startAttempt({ attemptDir, invocation: confineInvocation(invocation, plan, attemptPaths(attemptDir), undefined), timeoutMs: 60_000 });
  const outcome = await waitForOutcome(attemptDir, { expected: { runId: tag, taskId: name, attemptId: `${name}.a1`, epoch: 1 }, deadlineAt: null, heartbeatTimeoutMs: 60_000, deriveOutcome: (exit) => ({ kind: 'missing', reason: `exit ${String(exit?.record.code)}` }) });
  return { attemptDir, reason: outcome.kind === 'missing' ? outcome.reason : outcome.kind };
}

describe('a daemon left by a worker', () => {
  it.skipIf(!probe.ok)('dies with the bubblewrap sandbox when the worker exits: nothing carries the tag, the group sweep is enough', async () => {
    const { attemptDir, reason } = await runDaemonWorker('confined', true);
    expect(reason).toBe('exit 0');
    expect(await settled(() => tagged().length === 0)).toBe(true);
    sweepConfinedAttempt(attemptDir);
    expect(tagged()).toEqual([]);
  });

  it('outlives an unconfined worker (so an attempt not confined by this driver is searched by its tag)', async () => {
    expect((await runDaemonWorker('unconfined', false)).reason).toBe('exit 0');
    expect(await settled(() => tagged().length === 1)).toBe(true);
  });
});
