import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SupervisorSpec, WORKER_ENV_PREFIX, attemptPaths } from '../../src/worker/attemptFiles.js';
import { SUPERVISOR_EXIT, supervisorCommand } from '../../src/worker/supervisor.js';
import { fixture, tempDir, workerEnv } from './helpers.js';

/** Run the supervisor directly (as startAttempt would, but awaited) and resolve its exit code. */
function runSupervisor(dir: string, { detached = true } = {}): Promise<number | null> {
  const [file, ...args] = supervisorCommand();
  const env = Object.fromEntries(Object.entries(workerEnv(dir)).map(([name, value]) => [WORKER_ENV_PREFIX + name, value]));
  const child = spawn(file ?? process.execPath, [...args, dir, attemptPaths(dir).spec], { env, stdio: 'ignore', detached });
  return new Promise((resolve) => child.once('exit', resolve));
}

function writeSpec(dir: string, argv: string[]): void {
  mkdirSync(dir, { recursive: true });
  const spec: SupervisorSpec = {
    schema: 'buran.supervisor-spec/v1',
    argv,
    cwd: dir,
    envNames: Object.keys(workerEnv(dir)),
    timeoutMs: 30_000,
    heartbeatIntervalMs: 200,
    graceMs: 500,
  };
  writeFileSync(attemptPaths(dir).spec, JSON.stringify(spec));
}

describe('supervisorCommand', () => {
  it('starts a script whose imports are Node builtins and its own builtins-only siblings', () => {
    // Paths under src/: the supervisor's own files and the platform modules they use.
    const closure = ['worker/supervisor-main.ts', 'worker/supervisor.ts', 'worker/supervisorAssignment.ts', 'worker/attemptFiles.ts', 'platform/durableWrite.ts', 'platform/errno.ts', 'platform/process.ts', 'platform/processTable.ts', 'platform/linuxProcessTable.ts', 'platform/posixProcessTable.ts', 'platform/systemProcessTable.ts'];
    for (const name of closure) {
      const source = readFileSync(new URL(`../../src/${name}`, import.meta.url), 'utf8');
      const specifiers = [...source.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gm)].map((match) => match[1] ?? '');
      for (const specifier of specifiers) {
        const target = posix.join(posix.dirname(name), specifier).replace(/\.js$/, '.ts');
        expect(specifier.startsWith('node:') || closure.includes(target), `${name} imports ${specifier}`).toBe(true);
      }
    }
  });

  it('runs the TypeScript entry through tsx when there is no compiled sibling', () => {
    const [node, flag, loader, entry] = supervisorCommand();
    expect(node).toBe(process.execPath);
    expect(flag).toBe('--import');
    expect(loader).toMatch(/^file:\/\/.*\/tsx\//);
    expect(entry).toMatch(/src\/worker\/supervisor-main\.ts$/);
  });
});

describe('the supervisor', () => {
  it('claims a folder exclusively: of two supervisors, one runs the worker and the other starts nothing', async () => {
    const dir = join(tempDir(), 'attempt');
    const marker = join(tempDir(), 'marker');
    writeSpec(dir, [fixture('complete.mjs'), '--delay=300', `--marker=${marker}`]);
    const codes = await Promise.all([runSupervisor(dir), runSupervisor(dir)]);
    expect(codes.sort()).toEqual([SUPERVISOR_EXIT.recorded, SUPERVISOR_EXIT.claimed]);
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(readFileSync(attemptPaths(dir).exit, 'utf8'))).toMatchObject({ code: 0, signal: null, error: null });
    expect(JSON.parse(readFileSync(attemptPaths(dir).pid, 'utf8'))).toMatchObject({ workerPid: expect.any(Number) as unknown, startedAt: expect.any(Number) as unknown });
  });

  it('refuses a bad spec without claiming the folder', async () => {
    const dir = join(tempDir(), 'attempt');
    writeSpec(dir, []);
    expect(await runSupervisor(dir)).toBe(SUPERVISOR_EXIT.usage);
    expect(existsSync(attemptPaths(dir).pid)).toBe(false);
  });

  it('refuses to run inside another process group, where its group kills would hit bystanders', async () => {
    const dir = join(tempDir(), 'attempt');
    writeSpec(dir, [fixture('exit0.mjs')]);
    expect(await runSupervisor(dir, { detached: false })).toBe(SUPERVISOR_EXIT.usage);
    expect(existsSync(attemptPaths(dir).pid)).toBe(false);
  });
});
