// Where git keeps a buran worktree's own state (its admin folder under the
// repository's git dir), found from the repository's side: git registered the
// worktree as `<commonDir>/worktrees/<name>/gitdir` naming `<worktree>/.git`.
// buran runs git with that folder as --git-dir instead of following the
// worktree's `.git` file, which the worker could repoint at a fake repository.
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gitRefProblem } from '../domain/packet.js';

export interface WorktreeGitDirs {
  /** The admin folder of `worktree` (a real path), or null when git has no worktree registered there. */
  adminDirOf(worktree: string): string | null;
  /**
   * The branch `worktree` has checked out as its admin folder's HEAD file says
   * (`ref: refs/heads/<branch>`), read without git; null when it is not
   * registered, or its HEAD is not such a plain file (a detached HEAD, a
   * symlink, another ref backend): then ask git.
   */
  branchOf(worktree: string): string | null;
  /**
   * The commit `worktree`'s HEAD is at when it has `branch` checked out and
   * that branch is a loose ref (a plain file under the common dir's
   * refs/heads, as git writes it on every update), read without git; null
   * otherwise (packed, another backend, another branch): then ask git.
   */
  headOf(worktree: string, branch: string): string | null;
  /** The commit of `branch` when it is a loose ref (see headOf), read without git; null otherwise (gone, packed, another backend). */
  tipOf(branch: string): string | null;
  /** Every worktree git has registered (real path → admin folder), read again now. */
  registered(): ReadonlyMap<string, string>;
}

/** Reads registrations lazily and again when a worktree is not found (it may have been added since). */
export function worktreeGitDirs(commonDir: string): WorktreeGitDirs {
  let known = new Map<string, string>();
  const scan = (): Map<string, string> => {
    const found = new Map<string, string>();
    const root = join(commonDir, 'worktrees');
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return found; // no linked worktree yet
    }
    for (const name of names) {
      const admin = join(root, name);
      const pointer = readText(join(admin, 'gitdir'));
      // A registration whose commondir is not the standard "../.." would send git to another repository's config.
      if (pointer === null || readText(join(admin, 'commondir')) !== '../..') continue;
      if (pointer.endsWith('/.git')) found.set(pointer.slice(0, -'/.git'.length), admin);
    }
    return found;
  };
  const adminDirOf = (worktree: string): string | null => {
    const hit = known.get(worktree);
    if (hit !== undefined && readText(join(hit, 'gitdir')) === `${worktree}/.git` && readText(join(hit, 'commondir')) === '../..') return hit;
    known = scan();
    return known.get(worktree) ?? null;
  };
  const tipOf = (branch: string): string | null => {
    // A name from a HEAD file a worker may have written: only a valid ref name is a path, and never one outside refs/heads.
    if (gitRefProblem(branch) !== null) return null;
    const id = readPlainFile(join(commonDir, 'refs', 'heads', ...branch.split('/')));
    return id !== null && /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(id) ? id : null;
  };
  const branchOf = (worktree: string): string | null => {
    const admin = adminDirOf(worktree);
    if (admin === null) return null;
    const ref = /^ref: refs\/heads\/(\S+)$/.exec(readPlainFile(join(admin, 'HEAD')) ?? '');
    return ref?.[1] ?? null;
  };
  return {
    adminDirOf,
    branchOf,
    headOf(worktree, branch) {
      // The branch is compared first: only a name buran expects is ever turned into a path.
      return branchOf(worktree) === branch ? tipOf(branch) : null;
    },
    tipOf,
    registered() {
      known = scan();
      return known;
    },
  };
}

/** The trimmed text of a regular file (no symlink followed), or null. */
function readPlainFile(path: string): string | null {
  try {
    if (!lstatSync(path).isFile()) return null;
  } catch {
    return null;
  }
  return readText(path);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}
