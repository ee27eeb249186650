// Shared setup of the real-binary tests: throwaway folders, a client run
// against a stand-in, and buran runs (real engine, supervisor and adapter)
// whose worker is the real CLI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { z } from 'zod';
import type { ConfigInput } from '../../src/domain/config.js';
import type { PacketInput } from '../../src/domain/packet.js';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { openProject } from '../../src/engine/project.js';
import { buildReport } from '../../src/engine/report.js';
import { approvedRun, attemptIds, attemptsDir, makeRepo } from '../engine/fixtures/project.js';

const folders: string[] = [];

/** A fresh temp folder, removed by removeTempDirs(). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'agents-real');

/**
 * A fresh folder outside the temp dir (under test-artifacts/, git-ignored),
 * removed by removeTempDirs(). For a CODEX_HOME: codex will not create its
 * helper links under the temp dir, and without them its command sandbox
 * cannot start beside a system bubblewrap older than 0.9 (see codexSandboxMode).
 */
export function outsideTempDir(prefix: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(ARTIFACTS, prefix));
  folders.push(dir);
  const temp = `${realpathSync(tmpdir())}/`;
  if (`${realpathSync(dir)}/`.startsWith(temp)) throw new Error(`${dir} is under the temp dir ${temp}: run the tests from a checkout outside it`);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** One JSON value per non-empty line. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const RECORDINGS = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'agents');

/** The stdout of a committed recording (test/fixtures/agents/<agent>/<...path>/stdout). */
export function recordedStdout(agent: string, ...path: string[]): string {
  return readFileSync(join(RECORDINGS, agent, ...path, 'stdout'), 'utf8');
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The file the one task of `agentPacket` owns, relative to the workspace. */
export const TASK_FILE = 'src/alpha.txt';

/** A one-task packet for `adapter`; verification checks that TASK_FILE holds `expected`. */
export function agentPacket(adapter: string, options: { model: string; expected: string; instructions: string }): PacketInput {
  const check = `const t = require('node:fs').readFileSync(${JSON.stringify(TASK_FILE)}, 'utf8'); process.exit(t === ${JSON.stringify(options.expected)} ? 0 : 1);`;
  return {
    schema: 'buran.packet/v1',
    id: `real-${adapter}`,
    title: `Real ${adapter} against a loopback model API`,
    goal: 'Drive the real agent CLI through buran.',
    tasks: [{ id: 'alpha', title: `Write ${TASK_FILE}`, instructions: options.instructions, scope: [TASK_FILE], acceptance: [`${TASK_FILE} holds the greeting`] }],
    verify: [['node', '-e', check]],
    worker: { adapter, model: options.model },
    limits: { heartbeatTimeoutSec: 10, taskTimeoutSec: 60, maxAttempts: 1, maxFixRounds: 1 },
  };
}

/** Approve `packet` in a new repository with `config`, then drive it with the runner environment `env`. */
export async function buranRun(packet: PacketInput, config: ConfigInput, env: Record<string, string | undefined>) {
  const repo = makeRepo();
  mkdirSync(join(repo, '.buran'), { recursive: true });
  // The real CLIs run inside buran's sandbox, and fail closed (sandbox_unavailable) rather than run unconfined.
  writeFileSync(join(repo, '.buran', 'config.json'), JSON.stringify({ ...config, sandbox: config.sandbox ?? { mode: 'required' } }, null, 2));
  const { project, runId } = await approvedRun(packet, { repo });
  const run = await openProject({ cwd: repo, env });
  const result = await run.runner.drive(runId);
  const attempts = attemptIds(project, runId).map((id) => join(attemptsDir(project, runId), id));
  const report = buildReport(result.snapshot, await run.runner.events(runId));
  return { repo, runId, result, attempts, report };
}

const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const mainUrl = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.ts')).href;

/** `buran status --run <id> --json` as a subprocess in the repository, validated by its schema. */
export function statusJson(repo: string, runId: string): z.infer<typeof StatusJsonSchema> {
  const script = `const { main } = await import(${JSON.stringify(mainUrl)}); process.exitCode = await main(['node', 'buran', ...process.argv.slice(1)]);`;
  const { stdout, stderr } = spawnSync(process.execPath, ['--import', loader, '--input-type=module', '-e', script, 'status', '--run', runId, '--json'], { cwd: repo, encoding: 'utf8' });
  try {
    return StatusJsonSchema.parse(JSON.parse(stdout));
  } catch (error) {
    throw new Error(`buran status --json printed no valid status: ${String(error)}\n${stdout}\n${stderr}`, { cause: error });
  }
}
