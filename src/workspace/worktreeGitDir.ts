// Where git keeps a buran worktree's own state (its admin folder under the
// repository's git dir), found from the repository's side: git registered the
// worktree as `<commonDir>/worktrees/<name>/gitdir` naming `<worktree>/.git`.
// buran runs git with that folder as --git-dir instead of following the
// worktree's `.git` file, which the worker could repoint at a fake repository.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface WorktreeGitDirs {
  /** The admin folder of `worktree` (a real path), or null when git has no worktree registered there. */
  adminDirOf(worktree: string): string | null;
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
  return {
    adminDirOf(worktree) {
      const hit = known.get(worktree);
      if (hit !== undefined && readText(join(hit, 'gitdir')) === `${worktree}/.git`) return hit;
      known = scan();
      return known.get(worktree) ?? null;
    },
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}
