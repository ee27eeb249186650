// The commit and tree a local branch points at, read without touching any
// worktree: what a handoff records, and what later readers compare with it.
import { git } from './git.js';

/** A branch's tip: its commit id and that commit's tree id. */
export interface BranchTip {
  readonly commit: string;
  readonly tree: string;
}

/**
 * The tip of `refs/heads/<branch>` in `repoRoot`, or null when the branch does
 * not exist. Any other git failure rejects: "cannot read" is not "deleted".
 * @example
 * await readBranchTip(repoRoot, 'buran/r1'); // → { commit: '3f2a…', tree: '9c1d…' } or null
 */
export async function readBranchTip(repoRoot: string, branch: string): Promise<BranchTip | null> {
  const ref = `refs/heads/${branch}`;
  // One process: the ref (matched exactly below; the pattern also matches refs under it) with its commit and tree.
  const listed = await git(repoRoot, ['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(tree)', ref]);
  if (listed.exitCode === 0) {
    const entry = listed.stdout.split('\n').map((line) => line.split('\0')).find(([name]) => name === ref);
    if (entry === undefined) return null;
    const [, type, commit, tree] = entry;
    if (type === 'commit' && commit !== undefined && tree !== undefined && tree !== '') return { commit, tree };
  }
  // Not a plain commit (or git failed): asked the long way, which peels and tells missing from unreadable.
  const exists = await git(repoRoot, ['show-ref', '--verify', '--quiet', ref]);
  if (exists.exitCode === 1) return null;
  const ids = exists.exitCode === 0 ? await git(repoRoot, ['rev-parse', `${ref}^{commit}`, `${ref}^{tree}`]) : exists;
  const [commit, tree] = ids.stdout.trim().split('\n');
  if (ids.exitCode !== 0 || commit === undefined || tree === undefined) {
    throw new Error(`cannot read the tip of ${branch} in ${repoRoot}: ${ids.stderr.trim() || `git exited ${String(ids.exitCode)}`}`);
  }
  return { commit, tree };
}
