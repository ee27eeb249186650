// The confinement as bwrap arguments: mount order decides what a worker sees, so it is pinned here.
import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../src/sandbox/bwrap.js';
import { UNSANDBOXED } from '../../src/sandbox/port.js';
import { confinementFor, confineArgv } from '../../src/sandbox/plan.js';

const plan = { sandbox: UNSANDBOXED, storeDir: '/home/u/app/.buran', repoRoot: '/home/u/app', network: true };
const request = { workdir: '/home/u/app/.buran/worktrees/r/tasks/t', env: { HOME: '/home/u', PATH: '/home/u/.cargo/bin:/home/u/.nvm/v20/bin:/usr/bin:bin' } };
const at = (args: string[], ...needle: string[]) => args.findIndex((_, i) => needle.every((n, j) => args[i + j] === n));

describe('bwrapArgs', () => {
  it('hides the store after showing the repository again, then binds the worktree back writable and its .git pointer read-only', () => {
    const args = bwrapArgs(['agent'], confinementFor(plan, request));
    const home = at(args, '--tmpfs', '/home/u');
    const repo = at(args, '--ro-bind-try', '/home/u/app', '/home/u/app');
    const store = at(args, '--tmpfs', '/home/u/app/.buran');
    const worktree = at(args, '--bind', request.workdir, request.workdir);
    const pointer = at(args, '--ro-bind-try', `${request.workdir}/.git`, `${request.workdir}/.git`);
    expect([home, repo, store, worktree, pointer].every((i) => i >= 0)).toBe(true);
    expect(home).toBeLessThan(repo);
    expect(repo).toBeLessThan(store);
    expect(store).toBeLessThan(worktree);
    expect(worktree).toBeLessThan(pointer);
    expect(args.slice(-2)).toEqual(['--', 'agent']);
    expect(args).toContain('--die-with-parent');
    expect(args).toContain('--share-net');
  });

  it('gives a reviewer its worktree read-only, and no network when the plan cuts it', () => {
    const args = bwrapArgs(['agent'], confinementFor({ ...plan, network: false }, { ...request, workdirReadOnly: true }));
    expect(at(args, '--ro-bind', request.workdir, request.workdir)).toBeGreaterThanOrEqual(0);
    expect(at(args, '--bind', request.workdir, request.workdir)).toBe(-1);
    expect(args).not.toContain('--share-net');
  });

  it('shows a PATH folder inside HOME but not its whole prefix (credentials live beside the tools), and no relative folder', () => {
    const visible = confinementFor(plan, request).keepVisible;
    expect(visible).toContain('/home/u/.cargo/bin');
    expect(visible).not.toContain('/home/u/.cargo');
    expect(visible).toContain('/home/u/.nvm/v20/lib');
    expect(visible).not.toContain('bin');
  });

  it('refuses relative paths, and leaves an argv unchanged when unsandboxed', () => {
    expect(() => bwrapArgs(['x'], { ...confinementFor(plan, request), workdir: 'relative' })).toThrow(/absolute/);
    expect(confineArgv(plan, ['a', 'b'], request)).toEqual(['a', 'b']);
  });
});
