// A bubblewrap sandbox shaped like the one buran is to run workers in
// (design notes, "Confinement"), for running the real agent CLIs inside it by
// hand and in the real-binary tests. Test support code: not buran's sandbox.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const BWRAP = '/usr/bin/bwrap';

/** bubblewrap is a system package, not a pinned devDependency: tests that need it are skipped without it. */
export const HAS_BWRAP = existsSync(BWRAP) && spawnSync(BWRAP, ['--ro-bind', '/', '/', '--unshare-all', 'true']).status === 0;

/**
 * The system bwrap knows `--argv0` (bubblewrap >= 0.9). Codex passes its
 * helper's name that way when it can; without it, it runs the helper through
 * a link under CODEX_HOME.
 */
export const BWRAP_HAS_ARGV0 = HAS_BWRAP && spawnSync(BWRAP, ['--help'], { encoding: 'utf8' }).stdout.includes('--argv0');

export interface SandboxShape {
  /** The runner's HOME: hidden behind an empty tmpfs, then `binds` bring back what the agent needs. */
  readonly home: string;
  /** `<repo>/.buran`: hidden behind an empty tmpfs. */
  readonly buranDir: string;
  /** The task worktree: writable, its `.git` file read-only. */
  readonly worktree: string;
  /** The attempt folder (completion file): writable. */
  readonly attemptDir: string;
  /** Folders bound back writable, e.g. CODEX_HOME. */
  readonly writable?: readonly string[];
  /** Folders bound back read-only. */
  readonly readable?: readonly string[];
}

/** `argv` wrapped in `bwrap`: the whole file system read-only, /tmp and HOME empty, the worktree and attempt folder writable, own namespaces but the network. */
export function sandboxed(argv: readonly string[], shape: SandboxShape): string[] {
  return [
    BWRAP,
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    '--tmpfs', shape.home,
    '--tmpfs', shape.buranDir,
    '--bind', shape.worktree, shape.worktree,
    '--ro-bind', join(shape.worktree, '.git'), join(shape.worktree, '.git'),
    '--bind', shape.attemptDir, shape.attemptDir,
    ...(shape.writable ?? []).flatMap((dir) => ['--bind', dir, dir]),
    ...(shape.readable ?? []).flatMap((dir) => ['--ro-bind', dir, dir]),
    '--unshare-all',
    '--share-net',
    '--die-with-parent',
    '--new-session',
    '--chdir', shape.worktree,
    '--',
    ...argv,
  ];
}

/** A repository in `root` with a linked worktree under `.buran/worktrees/` and an attempt folder under `.buran/runs/`, as buran lays them out. */
export interface SandboxLayout {
  readonly repo: string;
  readonly buranDir: string;
  readonly worktree: string;
  readonly attemptDir: string;
}

export function sandboxLayout(root: string): SandboxLayout {
  const repo = join(root, 'repo');
  const buranDir = join(repo, '.buran');
  const worktree = join(buranDir, 'worktrees', 'alpha');
  const attemptDir = join(buranDir, 'runs', 'r1', 'attempts', 'alpha.a1');
  mkdirSync(repo, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('commit', '-q', '--allow-empty', '-m', 'init');
  git('worktree', 'add', '-q', '-b', 'alpha', worktree);
  mkdirSync(attemptDir, { recursive: true });
  return { repo, buranDir, worktree, attemptDir };
}
