// Supervisors started ahead of their attempts: a waiting supervisor is handed its attempt (and the worker's
// environment) through its stdin after the intent is recorded, claims the folder like a cold one, and one
// that is gone before it claimed is replaced by a cold start. A spare whose pipe closes exits having claimed nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptPaths } from '../../src/worker/attemptFiles.js';
import { SUPERVISOR_EXIT, supervisorCommand } from '../../src/worker/supervisor.js';
import { WARM_FLAG, assignmentLine, parseAssignment } from '../../src/worker/supervisorAssignment.js';
import { type SupervisorPool, createSupervisorPool, sharedSupervisorPool } from '../../src/worker/supervisorPool.js';
import { waitForOutcome } from '../../src/worker/waitForOutcome.js';
import { EXPECTED, startFixture, tempDir } from './helpers.js';

const wait = (dir: string) => waitForOutcome(dir, { expected: EXPECTED, deadlineAt: null, heartbeatTimeoutMs: 10_000 });

function warmSupervisor(): ChildProcess {
  const [file, ...args] = supervisorCommand();
  return spawn(file ?? process.execPath, [...args, WARM_FLAG], { env: {}, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
}

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

describe('a pool of warm supervisors', () => {
  it('starts its spares on the first take (none is ready then); a later attempt is started by a waiting supervisor', async () => {
    const pool = createSupervisorPool({ command: supervisorCommand(), size: 1 });
    try {
      expect(pool.take()).toBeNull();
      const { dir, started } = await startFixture('complete.mjs', ['--delay=1000'], { pool });
      expect(started.how).toBe('spawned');
      expect(cmdline(started.supervisorPid)).toContain(WARM_FLAG);
      expect(await wait(dir)).toMatchObject({ kind: 'completion', status: 'completed' });
    } finally {
      pool.close();
    }
  });

  it('hands the worker its environment through the pipe: the worker sees it, nothing of it is in the attempt folder', async () => {
    const pool = createSupervisorPool({ command: supervisorCommand(), size: 1 });
    try {
      pool.take();
      const out = join(tempDir(), 'env.json');
      const { dir } = await startFixture('print-env.mjs', [`--out=${out}`], { pool });
      await wait(dir);
      const env = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
      expect(env).toMatchObject({ BURAN_RUN_ID: EXPECTED.runId, BURAN_ATTEMPT_ID: EXPECTED.attemptId });
      expect(Object.keys(env).filter((name) => name.startsWith('BURAN_WORKER_ENV_'))).toEqual([]);
      expect(readFileSync(attemptPaths(dir).spec, 'utf8')).not.toContain(EXPECTED.runId);
    } finally {
      pool.close();
    }
  });

  it('hands out a spare started by warm() to the first attempt', async () => {
    const pool = createSupervisorPool({ command: supervisorCommand(), size: 1 });
    try {
      pool.warm();
      const { dir, started } = await startFixture('complete.mjs', ['--delay=1000'], { pool });
      expect(cmdline(started.supervisorPid)).toContain(WARM_FLAG);
      expect(await wait(dir)).toMatchObject({ kind: 'completion', status: 'completed' });
    } finally {
      pool.close();
    }
  });

  it('returns none once closed, and warm() starts nothing then', () => {
    const pool = createSupervisorPool({ command: supervisorCommand(), size: 1 });
    pool.close();
    pool.warm();
    expect(pool.take()).toBeNull();
  });

  it('starts a cold supervisor when the warm one it was given ended before claiming the folder', async () => {
    const dead = warmSupervisor();
    dead.kill('SIGKILL');
    await once(dead, 'exit');
    // A pool that hands out a supervisor already gone (as if it died between take and claim).
    const pool: SupervisorPool = { take: () => ({ child: dead, assign: () => true }), warm: () => undefined, close: () => undefined };
    const { dir, started } = await startFixture('complete.mjs', [], { pool });
    expect(started.how).toBe('spawned');
    expect(started.supervisorPid).not.toBe(dead.pid);
    expect(await wait(dir)).toMatchObject({ kind: 'completion', status: 'completed' });
  });
});

describe('sharedSupervisorPool', () => {
  it('is one pool per supervisor command in a process, whatever the number of runs it drives', () => {
    const command = ['/nonexistent/node', 'supervisor-main.js'];
    expect(sharedSupervisorPool(command)).toBe(sharedSupervisorPool([...command]));
    expect(sharedSupervisorPool(command)).not.toBe(sharedSupervisorPool([...command, 'other']));
  });
});

describe('a warm supervisor', () => {
  it('exits without claiming anything when its pipe closes before an attempt arrives', async () => {
    const child = warmSupervisor();
    child.stdin?.end();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(SUPERVISOR_EXIT.unassigned);
  });

  it('refuses an assignment that is not one, and claims nothing', async () => {
    const dir = join(tempDir(), 'attempt');
    mkdirSync(dir);
    const child = warmSupervisor();
    child.stdin?.end(`${JSON.stringify({ schema: 'buran.supervisor-assignment/v1', attemptDir: 'relative', specFile: join(dir, 'spec.json'), env: {} })}\n`);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(SUPERVISOR_EXIT.usage);
    expect(existsSync(attemptPaths(dir).pid)).toBe(false);
  });
});

describe('parseAssignment', () => {
  it('reads back what assignmentLine writes', () => {
    const a = { attemptDir: '/a', specFile: '/a/spec.json', env: { PATH: '/usr/bin' } };
    expect(parseAssignment(assignmentLine(a).trim())).toEqual({ schema: 'buran.supervisor-assignment/v1', ...a });
  });

  it('refuses relative paths, a wrong schema and non-string environment values', () => {
    expect(parseAssignment('{"schema":"buran.supervisor-assignment/v1","attemptDir":"a","specFile":"/s","env":{}}')).toMatch(/attemptDir/);
    expect(parseAssignment('{"schema":"x","attemptDir":"/a","specFile":"/s","env":{}}')).toMatch(/schema/);
    expect(parseAssignment('{"schema":"buran.supervisor-assignment/v1","attemptDir":"/a","specFile":"/s","env":{"A":1}}')).toMatch(/env/);
    expect(parseAssignment('not json')).toMatch(/not JSON/);
  });
});
