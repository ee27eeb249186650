// Embedded git repositories in a worktree: a `.git` below its top level. git
// checks an embedded repository by starting another git inside it, which reads
// that repository's own config (filters, fsmonitor) — config the worker wrote.
// buran refuses to run git on a worktree that holds one. Symbolic links are
// never followed.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Most entries looked at; a worktree with more is refused rather than half checked. */
export const NESTED_SCAN_LIMIT = 500_000;

/** Worktree-relative paths of every `.git` below the top level; `truncated` when the scan hit its limit. */
export function findNestedGitEntries(worktree: string, limit = NESTED_SCAN_LIMIT): { found: string[]; truncated: boolean } {
  const found: string[] = [];
  const pending = [worktree];
  let seen = 0;
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (++seen > limit) return { found, truncated: true };
      const path = join(dir, entry.name);
      if (entry.name === '.git') {
        if (dir !== worktree) found.push(relative(worktree, path));
        continue;
      }
      if (entry.isDirectory()) pending.push(path);
    }
  }
  return { found: found.sort(), truncated: false };
}
