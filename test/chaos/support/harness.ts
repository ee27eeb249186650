// The chaos harness's shared parts: the real `buran` CLI (built dist/, see
// globalSetup) as a subprocess, temp git repositories, packets for the chaos
// agent, the facts of a finished run read back through the CLI and the files,
// the comparison with an uninterrupted run, and the /proc scan for survivors.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type EventRecord, EventRecordSchema } from '../../../src/domain/events.js';
import type { PacketInput } from '../../../src/domain/packet.js';
import { killAttempt } from '../../../src/worker/killAttempt.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The CLI globalSetup built for this run (falls back to the tree's own bin/buran.js). */
export const BIN = process.env['BURAN_CHAOS_BIN'] ?? join(ROOT, 'bin', 'buran.js');
export const AGENT = join(ROOT, 'test', 'chaos', 'fixtures', 'chaos-agent.mjs');
export const VERIFY = join(ROOT, 'test', 'chaos', 'fixtures', 'verify.mjs');

/** `full` (npm run test:chaos) or `ci` (npm run test:chaos:ci: the short subset). */
export const PROFILE: 'full' | 'ci' = process.env['CHAOS_PROFILE'] === 'ci' ? 'ci' : 'full';
export const FULL = PROFILE === 'full';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@localhost' };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const repos: string[] = [];
const children = new Set<ChildProcess>();

/**
 * A fresh git repository (main, one commit: README.md, package.json), realpath'd; removed by cleanup().
 * Its config sets the sandbox mode: `none` by default, because the durability families count worker processes by the
 * pids their workers record (inside bwrap those are the sandbox's own PID namespace's); the hostile family passes `auto`.
 */
export function makeRepo(sandbox: 'auto' | 'required' | 'none' = 'none'): string {
  const repo = realpathSync(mkdtempSync(join(tmpdir(), 'buran-chaos-')));
  repos.push(repo);
  writeFileSync(join(repo, 'README.md'), '# chaos fixture repository\n');
  writeFileSync(join(repo, 'package.json'), `${JSON.stringify({ name: 'fixture', version: '1.0.0', private: true }, null, 2)}\n`);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'fixture repository');
  mkdirSync(join(repo, '.buran'), { recursive: true });
  writeFileSync(join(repo, '.buran', 'config.json'), `${JSON.stringify({ schema: 'buran.config/v1', sandbox: { mode: sandbox } })}\n`);
  return repo;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

export interface CliProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
}

/** Start `node bin/buran.js <args>` in `repo` with the runner's environment plus `env`. */
export function startCli(repo: string, args: readonly string[], env: Record<string, string | undefined> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('buran did not start');
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const pid = child.pid;
  const done = new Promise<CliResult>((resolveDone) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      resolveDone({ code, signal, stdout, stderr, pid });
    }),
  );
  return { pid, child, done };
}

/** Run the CLI to its end (bounded: SIGKILLed after `timeoutMs`, which fails the caller's checks). */
export async function cli(repo: string, args: readonly string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<CliResult> {
  const p = startCli(repo, args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  try {
    return await p.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Fails with what the run printed and its blocker unless `r` exited 0. */
export async function expectHandoff(r: CliResult, repo: string, runId: string): Promise<void> {
  if (r.code === 0) return;
  const st = await status(repo, runId);
  throw new Error(`buran run exited ${r.code ?? r.signal}; blocker: ${JSON.stringify(st.json?.blocker ?? null)}\n${r.stdout.slice(-2000)}\n${r.stderr}`);
}

export interface ChaosPacketOptions {
  readonly tasks?: readonly (string | { readonly id: string; readonly dependsOn?: readonly string[]; readonly scope?: readonly string[] })[];
  readonly mode?: string;
  /** Marks every worker process in argv; also names the markers folder. */
  readonly tag: string;
  readonly markers: string;
  readonly sleepMs?: number;
  /** Tasks whose epoch-1 work fails verification (one fix round each). */
  readonly bad?: readonly string[];
  readonly extraArgs?: readonly string[];
  readonly limits?: PacketInput['limits'];
  readonly verify?: readonly (readonly string[])[];
  readonly id?: string;
  readonly title?: string;
  readonly worker?: Partial<PacketInput['worker']>;
}

/** A packet whose tasks each own src/<id>.txt, worked by the chaos agent, verified by verify.mjs. */
export function chaosPacket(o: ChaosPacketOptions): PacketInput {
  const tasks = (o.tasks ?? ['alpha']).map((t) => (typeof t === 'string' ? { id: t } : t));
  const command = [
    'node',
    AGENT,
    o.mode ?? 'ok',
    `--tag=${o.tag}`,
    `--markers=${o.markers}`,
    `--sleep=${o.sleepMs ?? 200}`,
    `--bad=${(o.bad ?? []).join(',')}`,
    ...(o.extraArgs ?? []),
  ];
  return {
    schema: 'buran.packet/v1',
    id: o.id ?? 'chaos-work',
    title: o.title ?? 'Chaos work',
    goal: 'Exercise the runner under crashes and faults with the chaos agent.',
    tasks: tasks.map((t) => ({
      id: t.id,
      title: `Write src/${t.id}.txt`,
      instructions: `Write the file src/${t.id}.txt.`,
      dependsOn: [...(t.dependsOn ?? [])],
      scope: [...(t.scope ?? [`src/${t.id}.txt`])],
      acceptance: [`src/${t.id}.txt exists`],
    })),
    verify: (o.verify ?? [['node', VERIFY]]).map((argv) => [...argv]),
    worker: { adapter: 'command', command, ...o.worker },
    limits: { heartbeatTimeoutSec: 10, taskTimeoutSec: 60, maxFixRounds: 2, ...o.limits },
  };
}

/** The multi-task packet of the crash-point and soak tests: a ∥ b, c after a; b needs a fix round. */
export function multiTaskPacket(tag: string, markers: string, sleepMs = 150): PacketInput {
  return chaosPacket({ tag, markers, sleepMs, tasks: ['a', 'b', { id: 'c', dependsOn: ['a'] }], bad: ['b'], limits: { concurrency: 2 } });
}

/** Write the packet, `buran approve --json`, and return the run id. */
export async function approve(repo: string, packet: PacketInput, name = 'packet.json'): Promise<string> {
  writeFileSync(join(repo, name), `${JSON.stringify(packet, null, 2)}\n`);
  const r = await cli(repo, ['approve', name, '--by', 'chaos', '--json']);
  if (r.code !== 0) throw new Error(`approve failed (${r.code}): ${r.stderr}`);
  return (JSON.parse(r.stdout.trim()) as { runId: string }).runId;
}

export const runDir = (repo: string, runId: string): string => join(repo, '.buran', 'runs', runId);

export interface StatusJson {
  readonly status: string;
  readonly stage: string;
  readonly blocker: { code: string; message: string; details: Record<string, unknown> } | null;
  readonly tasks: readonly { id: string; state: string; attempts: number; epoch: number }[];
}

/** `buran status --run <id> --json`: exit code and the parsed status (null when stdout is not JSON). */
export async function status(repo: string, runId: string): Promise<{ code: number | null; json: StatusJson | null; stderr: string }> {
  const r = await cli(repo, ['status', '--run', runId, '--json']);
  let json: StatusJson | null;
  try {
    json = JSON.parse(r.stdout) as StatusJson;
  } catch {
    json = null;
  }
  return { code: r.code, json, stderr: r.stderr };
}

/** `buran events --run <id> --json`, parsed and checked record by record. */
export async function events(repo: string, runId: string): Promise<EventRecord[]> {
  const r = await cli(repo, ['events', '--run', runId, '--json']);
  if (r.code !== 0) throw new Error(`events failed (${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => EventRecordSchema.parse(JSON.parse(l)));
}

/** Events that depend on how often the run was interrupted, not on what it did (`sealed`: a snapshot after re-taken events). */
const INTERRUPTION_EVENTS = new Set(['lock_takeover', 'torn_log', 'sealed']);

/**
 * One event without seq, time, run id, commit and digest values (they differ between repositories),
 * and without its chain digest and seal: which event ends a batch depends on timing, not on the work.
 */
export function normalise(e: EventRecord): string {
  const { seq: _seq, ts: _ts, prev: _prev, seal: _seal, ...rest } = e;
  // A run stage change caused by a task (the last TASK_PASSED) names whichever parallel task finished last.
  if (e.taskId === undefined && e.from !== e.to && typeof e.data['taskId'] === 'string') {
    const { taskId: _taskId, ...data } = e.data;
    rest.data = data;
  }
  return JSON.stringify(rest)
    .replaceAll(e.runId, '<run>')
    .replace(/sha256:[0-9a-f]{64}/g, '<digest>')
    .replace(/\b[0-9a-f]{40}\b/g, '<commit>');
}

export interface RunFacts {
  readonly runId: string;
  readonly status: StatusJson | null;
  readonly statusCode: number | null;
  readonly events: readonly EventRecord[];
  /** Normalised events of the work itself, sorted (a multiset). */
  readonly work: readonly string[];
  /** Per task (and `run`): the normalised events in log order. */
  readonly streams: Readonly<Record<string, readonly string[]>>;
  readonly attempts: readonly string[];
  readonly intents: readonly string[];
  /** Worker processes started per attempt id (marker lines). */
  readonly spawns: Readonly<Record<string, number>>;
  /** Completions ingested per attempt id. */
  readonly ingestions: Readonly<Record<string, number>>;
  /** Per task: src/<id>.txt on the run branch. */
  readonly branchFiles: Readonly<Record<string, string>>;
}

export async function facts(repo: string, runId: string, markers: string): Promise<RunFacts> {
  const st = await status(repo, runId);
  const evs = await events(repo, runId);
  const work = evs.filter((e) => !INTERRUPTION_EVENTS.has(e.type));
  const streams: Record<string, string[]> = {};
  // Parallel tasks interleave differently from run to run: a run-level event about a task is in that task's run stream.
  for (const e of work) {
    const about = typeof e.data['taskId'] === 'string' && e.from === e.to ? `run/${e.data['taskId']}` : 'run';
    (streams[e.taskId ?? about] ??= []).push(normalise(e));
  }
  const attemptsDir = join(runDir(repo, runId), 'attempts');
  const attempts = existsSync(attemptsDir) ? readdirSync(attemptsDir).sort() : [];
  const spawns: Record<string, number> = {};
  if (existsSync(markers)) {
    for (const name of readdirSync(markers)) spawns[name] = readFileSync(join(markers, name), 'utf8').split('\n').filter((l) => l !== '').length;
  }
  const ingestions: Record<string, number> = {};
  for (const e of evs) {
    if (e.attemptId !== undefined && e.data['event'] === 'xstate.done.actor.awaitCompletion') ingestions[e.attemptId] = (ingestions[e.attemptId] ?? 0) + 1;
  }
  const branchFiles: Record<string, string> = {};
  for (const t of st.json?.tasks ?? []) {
    try {
      branchFiles[t.id] = git(repo, 'show', `buran/${runId}:src/${t.id}.txt`);
    } catch {
      branchFiles[t.id] = '<missing>';
    }
  }
  return {
    runId,
    status: st.json,
    statusCode: st.code,
    events: evs,
    work: work.map(normalise).sort(),
    streams,
    attempts,
    intents: attempts.filter((a) => existsSync(join(attemptsDir, a, 'intent.json'))),
    spawns,
    ingestions,
    branchFiles,
  };
}

/**
 * The checks every interrupted run must pass against an uninterrupted one:
 * same outcome, same work recorded (each event once), one worker process and
 * one intent per attempt id, each completion ingested once, a gap-free log
 * that reads cleanly (status exit 0 for a finished run).
 */
export function expectSameAsBaseline(got: RunFacts, baseline: RunFacts): void {
  const why = (what: string) => `${what} (run ${got.runId})`;
  expect(got.statusCode, why('buran status --json exit code')).toBe(baseline.statusCode);
  expect(got.status?.status, why('final status')).toBe(baseline.status?.status);
  expect(got.status?.stage, why('final stage')).toBe(baseline.status?.stage);
  expect(got.status?.tasks, why('tasks, attempts, epochs')).toEqual(baseline.status?.tasks);
  expect(got.events.map((e) => e.seq), why('gap-free seq')).toEqual(got.events.map((_, i) => i + 1));
  expect(got.streams, why('per-stream event order')).toEqual(baseline.streams);
  expect(got.work, why('events (multiset, modulo time and lock events)')).toEqual(baseline.work);
  expect(got.attempts, why('attempt ids')).toEqual(baseline.attempts);
  expect(got.intents, why('one intent per attempt')).toEqual(got.attempts);
  expect(Object.keys(got.spawns).sort(), why('attempts with a worker')).toEqual(got.attempts);
  for (const [attemptId, n] of Object.entries(got.spawns)) expect(n, why(`worker processes of ${attemptId}`)).toBe(1);
  expect(got.ingestions, why('ingestions per attempt')).toEqual(baseline.ingestions);
  for (const [attemptId, n] of Object.entries(got.ingestions)) expect(n, why(`ingestions of ${attemptId}`)).toBe(1);
  expect(got.branchFiles, why('files on the run branch')).toEqual(baseline.branchFiles);
}

/** Live (not zombie) processes other than this one whose argv, environment or cwd mention `needle`. */
export function survivors(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const dir = `/proc/${name}`;
    try {
      const stat = readFileSync(`${dir}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state === 'Z' || state === 'X') continue;
      const cmdline = readFileSync(`${dir}/cmdline`, 'utf8').replace(/\0/g, ' ');
      let environ = '';
      let cwd = '';
      try {
        environ = readFileSync(`${dir}/environ`, 'utf8');
        cwd = readlinkSync(`${dir}/cwd`);
      } catch {
        // another user's process: argv is enough
      }
      if (cmdline.includes(needle) || environ.includes(needle) || cwd.startsWith(needle)) found.push({ pid: Number(name), cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Resolves to the survivors still there after waiting up to `timeoutMs` for them to go. */
export async function survivorsAfter(needle: string, timeoutMs = 5_000): Promise<{ pid: number; cmdline: string }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = survivors(needle);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(50);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Peak resident set (VmHWM, kB) of a live process; null once it is gone. */
export function peakRssKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/** A unique tag for one case (argv marker and folder names). */
export function tagFor(name: string): string {
  return `chaos-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Count a case of a family for the summary table (written by globalSetup's teardown). */
export function record(family: string, name: string, passed: boolean, extra: Record<string, unknown> = {}): void {
  const file = process.env['BURAN_CHAOS_RESULTS'];
  if (file !== undefined) appendFileSync(file, `${JSON.stringify({ family, name, passed, ...extra })}\n`);
}

/** Run `body` as one counted case: recorded passed only if it returns without throwing. */
export async function counted<T>(family: string, name: string, body: () => Promise<T>, extra: () => Record<string, unknown> = () => ({})): Promise<T> {
  try {
    const value = await body();
    record(family, name, true, extra());
    return value;
  } catch (error) {
    record(family, name, false, extra());
    throw error;
  }
}

/** End every CLI process and attempt left behind, then remove the repositories. */
export async function cleanup(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  for (const repo of repos.splice(0)) {
    const runs = join(repo, '.buran', 'runs');
    if (existsSync(runs)) {
      for (const run of readdirSync(runs)) {
        const attempts = join(runs, run, 'attempts');
        if (!existsSync(attempts)) continue;
        for (const attempt of readdirSync(attempts)) await killAttempt(join(attempts, attempt), { graceMs: 200 }).catch(() => undefined);
      }
    }
    for (const { pid } of survivors(repo)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(repo, { recursive: true, force: true });
  }
}

/** Poll until `probe` is true (or returns a value), or throw after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
