// The bubblewrap sandbox: a read-only view of the machine, private /tmp and
// HOME, the run store hidden, only the worktree (and the declared output
// folders) writable, its own PID namespace, and death with its parent.
import { isAbsolute, normalize, sep } from 'node:path';
import type { Confinement, Sandbox } from './port.js';

/** True when `path` is `dir` or lies inside it. */
export function isWithin(path: string, dir: string): boolean {
  const d = normalize(dir);
  const p = normalize(path);
  return p === d || p.startsWith(d.endsWith(sep) ? d : d + sep);
}

/**
 * The bwrap arguments for one confinement, in mount order (later mounts cover
 * earlier ones): the machine read-only; fresh /dev and /proc (the runner's
 * processes, their environments and command lines are not visible); private
 * /tmp and HOME; the repository and tools shown again read-only where those
 * covered them; the store hidden; the worktree and output folders writable;
 * the `.git` pointer, the prompt and the agent's config read-only. Pure.
 */
export function bwrapArgs(argv: readonly string[], c: Confinement): string[] {
  for (const path of [c.workdir, ...c.writable, ...c.readOnly, ...c.hidden, ...c.keepVisible, ...(c.home === undefined ? [] : [c.home])]) {
    if (!isAbsolute(path)) throw new Error(`sandbox paths must be absolute: ${path}`);
  }
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/var/tmp'];
  const privateRoots = ['/tmp', '/var/tmp'];
  // HOME is replaced by an empty private folder; the repository, if it lies inside, is shown again below.
  if (c.home !== undefined && c.home !== '/') {
    args.push('--tmpfs', c.home);
    privateRoots.push(c.home);
  }
  for (const path of c.keepVisible) {
    if (privateRoots.some((root) => isWithin(path, root) && path !== root)) args.push('--ro-bind-try', path, path);
  }
  for (const path of c.hidden) args.push('--tmpfs', path);
  args.push(c.workdirReadOnly === true ? '--ro-bind' : '--bind', c.workdir, c.workdir);
  for (const path of c.writable) args.push('--bind-try', path, path);
  for (const path of c.readOnly) args.push('--ro-bind-try', path, path);
  args.push('--unshare-all');
  if (c.network) args.push('--share-net');
  args.push('--die-with-parent', '--chdir', c.workdir, '--');
  return [...args, ...argv];
}

/** A sandbox that runs argvs under the bwrap executable at `bwrapPath`. */
export function createBwrapSandbox(bwrapPath: string): Sandbox {
  // --unshare-all takes a PID namespace, and --die-with-parent ends it with the supervisor.
  return { kind: 'bwrap', pidNamespace: true, wrap: (argv, confinement) => [bwrapPath, ...bwrapArgs(argv, confinement)] };
}
