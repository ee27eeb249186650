// Cold starts of the buran CLI as a user runs it (`node bin/buran.js ...`,
// dist/ built), each paired with `node -e 0` started just before it, so the
// ratio holds while the machine's speed drifts; and `buran status` over all
// runs of repositories holding 10, 100 and 1,000 approved runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openProject } from '../../src/engine/project.js';
import { progress, summary } from './stats.js';

const BIN = resolve('bin/buran.js');

export interface PairedTiming {
  readonly label: string;
  readonly n: number;
  /** Median wall ms of the command. */
  readonly medianMs: number;
  readonly p95Ms: number;
  /** Median wall ms of `node -e 0` in the same pairs. */
  readonly nodeMedianMs: number;
  /** Median of the per-pair ratios command / node -e 0. */
  readonly ratio: number;
}

function wallMs(args: readonly string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(r.status)}: ${r.stderr.toString()}`);
  return elapsed;
}

/** `n` pairs (node -e 0, then the command) after one unpaired warm-up of each. */
export function paired(label: string, args: readonly string[], cwd: string, n: number): PairedTiming {
  wallMs(['-e', '0'], cwd);
  wallMs(args, cwd);
  const own: number[] = [];
  const base: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const b = wallMs(['-e', '0'], cwd);
    const a = wallMs(args, cwd);
    own.push(a);
    base.push(b);
    ratios.push(a / b);
  }
  const s = summary(own);
  return { label, n, medianMs: s.median, p95Ms: s.p95, nodeMedianMs: summary(base).median, ratio: summary(ratios).median };
}

/** A fresh git repository with `.buran/` and a one-task packet file; removed by the caller. */
async function benchRepo(): Promise<{ repo: string; packet: string }> {
  const repo = await mkdtemp(join(tmpdir(), 'buran-bench-cli-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd: repo, stdio: 'ignore' });
  await writeFile(join(repo, 'README.md'), '# bench\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench');
  const packet = join(repo, 'packet.json');
  await writeFile(
    packet,
    JSON.stringify({
      schema: 'buran.packet/v1',
      id: 'bench-work',
      title: 'Bench work',
      goal: 'Give the CLI runs to list.',
      tasks: [{ id: 'one', title: 'Write one.txt', instructions: 'Write one.txt.', dependsOn: [], scope: ['one.txt'], acceptance: ['one.txt exists'] }],
      verify: [['node', '-e', '0']],
      worker: { adapter: 'command', command: ['node', '-e', '0'] },
    }),
  );
  return { repo, packet };
}

export interface CliCost {
  readonly commands: PairedTiming[];
}

/** Cold `--version`, `--help` and `status --run X` (a queued run). */
export async function measureCli(n: number): Promise<CliCost> {
  if (!existsSync(resolve('dist/src/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (the bench times the built CLI)');
  const { repo, packet } = await benchRepo();
  try {
    const project = await openProject({ cwd: repo });
    const { runId } = await project.approve(packet, 'bench');
    const commands: PairedTiming[] = [];
    for (const [label, args] of [
      ['buran --version', [BIN, '--version']],
      ['buran --help', [BIN, '--help']],
      ['buran status --run X', [BIN, 'status', '--run', runId]],
    ] as const) {
      progress(`cli: ${label}, ${n} pairs with node -e 0`);
      commands.push(paired(label, args, repo, n));
    }
    return { commands };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

export interface StatusAllCost {
  readonly sizes: PairedTiming[];
}

/** `buran status` (all runs, from the index) in one repository as it grows to each size. */
export async function measureStatusAll(sizes: readonly number[], n: number): Promise<StatusAllCost> {
  const { repo, packet } = await benchRepo();
  try {
    const project = await openProject({ cwd: repo });
    const out: PairedTiming[] = [];
    let made = 0;
    for (const size of sizes) {
      progress(`status-all: approving runs up to ${size}`);
      for (; made < size; made += 1) await project.approve(packet, 'bench');
      progress(`status-all: ${size} runs, ${n} pairs with node -e 0`);
      out.push(paired(`${size} runs`, [BIN, 'status'], repo, n));
    }
    return { sizes: out };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

/** Targets (issue "a 300 ms CLI"): on this machine, cold. */
export const CLI_TARGETS = { versionMs: 150, statusRunMs: 300, statusAllMs: 400, statusAllFlat: 1.5 } as const;

export interface CliTarget {
  readonly name: string;
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

const fmt = (x: number) => x.toFixed(0);

export function cliTargets(cli: CliCost | null, all: StatusAllCost | null): CliTarget[] {
  const targets: CliTarget[] = [];
  const find = (label: string) => cli?.commands.find((c) => c.label === label);
  const version = find('buran --version');
  const statusRun = find('buran status --run X');
  if (version !== undefined) targets.push({ name: 'buran --version, cold (median wall)', target: `≤ ${CLI_TARGETS.versionMs} ms`, value: `${fmt(version.medianMs)} ms (${version.ratio.toFixed(2)}× node -e 0)`, met: version.medianMs <= CLI_TARGETS.versionMs });
  if (statusRun !== undefined) targets.push({ name: 'buran status --run X, cold (median wall)', target: `≤ ${CLI_TARGETS.statusRunMs} ms`, value: `${fmt(statusRun.medianMs)} ms (${statusRun.ratio.toFixed(2)}× node -e 0)`, met: statusRun.medianMs <= CLI_TARGETS.statusRunMs });
  const first = all?.sizes[0];
  const last = all?.sizes.at(-1);
  if (first !== undefined && last !== undefined) {
    // Flatness by the pair ratios (each run against a node -e 0 started just before it): the medians
    // alone also measure how the machine's speed drifted between the sizes.
    const flat = last.ratio / first.ratio;
    targets.push({ name: `buran status over ${last.label} (median wall)`, target: `≤ ${CLI_TARGETS.statusAllMs} ms`, value: `${fmt(last.medianMs)} ms (${last.ratio.toFixed(2)}× node -e 0)`, met: last.medianMs <= CLI_TARGETS.statusAllMs });
    targets.push({ name: `buran status flat from ${first.label} to ${last.label} (ratio to node -e 0)`, target: `≤ ${CLI_TARGETS.statusAllFlat}×`, value: `${flat.toFixed(2)}× (${first.ratio.toFixed(2)}× → ${last.ratio.toFixed(2)}×; medians ${fmt(first.medianMs)} → ${fmt(last.medianMs)} ms)`, met: flat <= CLI_TARGETS.statusAllFlat });
  }
  return targets;
}

const row = (t: PairedTiming) => [t.label, `${fmt(t.medianMs)} / ${fmt(t.p95Ms)}`, fmt(t.nodeMedianMs), `${t.ratio.toFixed(2)}×`];
export const CLI_HEADER = ['command', 'wall ms (med/p95)', 'node -e 0 ms (med)', 'ratio (med of pairs)'];

export function cliRows(cli: CliCost | null, all: StatusAllCost | null): string[][] {
  return [...(cli?.commands ?? []).map(row), ...(all?.sizes ?? []).map((s) => row({ ...s, label: `buran status (${s.label})` }))];
}
