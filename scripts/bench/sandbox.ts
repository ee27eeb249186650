// 6. The sandbox's cost per process: trivial commands started directly and
// under bwrap with the confinement a worker gets (bwrapArgs over the same
// folders: the repository, the hidden store, the worktree, its out/ folder),
// alternately, so load on the machine hits both alike.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bwrapArgs, confinementFor, createBwrapSandbox, probeBwrap } from '../../src/sandbox/index.js';
import { summary } from './stats.js';

export interface SandboxCommandCost {
  readonly command: string;
  readonly directMedianMs: number;
  readonly directP95Ms: number;
  readonly sandboxedMedianMs: number;
  readonly sandboxedP95Ms: number;
  /** Sandboxed median minus direct median: what the sandbox adds to one process start. */
  readonly costMedianMs: number;
}

export interface SandboxCost {
  /** The bwrap measured; null when none works here (then `reason` says why and nothing was measured). */
  readonly bwrap: string | null;
  readonly reason: string | null;
  readonly n: number;
  readonly mounts: number;
  readonly commands: readonly SandboxCommandCost[];
}

function timed(argv: readonly string[]): number {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty argv');
  const t0 = performance.now();
  const r = spawnSync(file, args, { stdio: 'ignore' });
  const elapsed = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} … exited ${String(r.status ?? r.signal)}`);
  return elapsed;
}

export async function measureSandboxCost(n: number): Promise<SandboxCost> {
  const probe = await probeBwrap();
  if (!probe.ok) return { bwrap: null, reason: probe.reason, n: 0, mounts: 0, commands: [] };
  const repo = realpathSync(mkdtempSync(join(tmpdir(), 'buran-bench-sandbox-')));
  try {
    const store = join(repo, '.buran');
    const workdir = join(store, 'worktrees', 'run', 'tasks', 'alpha');
    const out = join(store, 'runs', 'run', 'attempts', 'alpha.a1', 'out');
    mkdirSync(workdir, { recursive: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(workdir, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'alpha')}\n`);
    const plan = { sandbox: createBwrapSandbox(probe.path), storeDir: store, repoRoot: repo, network: true };
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: homedir() };
    const commands: SandboxCommandCost[] = [];
    let mounts = 0;
    for (const argv of [['/usr/bin/true'], [process.execPath, '-e', '0']]) {
      const confinement = confinementFor(plan, { workdir, env, argv0: argv[0] ?? '', writable: [out], readOnly: [join(store, 'runs', 'run', 'attempts', 'alpha.a1', 'prompt.md')] });
      const wrapped = [probe.path, ...bwrapArgs(argv, confinement)];
      mounts = wrapped.filter((a) => a === '--tmpfs' || (a.startsWith('--') && a.includes('bind'))).length;
      timed(argv);
      timed(wrapped);
      const direct: number[] = [];
      const sandboxed: number[] = [];
      for (let i = 0; i < n; i += 1) {
        direct.push(timed(argv));
        sandboxed.push(timed(wrapped));
      }
      const d = summary(direct);
      const s = summary(sandboxed);
      commands.push({ command: argv[0] === process.execPath ? 'node -e 0' : 'true', directMedianMs: d.median, directP95Ms: d.p95, sandboxedMedianMs: s.median, sandboxedP95Ms: s.p95, costMedianMs: s.median - d.median });
    }
    return { bwrap: probe.path, reason: null, n, mounts, commands };
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
