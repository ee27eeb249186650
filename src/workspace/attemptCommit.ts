// One commit per attempt in a task worktree: everything the worker left (but
// the setup's outputs) staged and committed with the attempt's trailer, or the
// commit a repeated call already made. Three git processes on the happy path:
// add, commit, and the commit's id, tree and numstat.
import { BuranError } from '../domain/errors.js';
import { describeGitFailure } from './git.js';
import type { GitAccess, GitWorkspaceOptions } from './gitAccess.js';
import { workspaceIdProblem } from './layout.js';
import { ATTEMPT_TRAILER, type CommitOutcome, type CommitRequest, type Diffstat } from './port.js';

/** What `git log -1 --format=%H%x00%T%x00 --numstat -z` says of one commit. */
export interface CommitSummary {
  readonly commit: string;
  readonly tree: string;
  /** Paths the commit changed against its first parent, sorted. */
  readonly changedFiles: string[];
  readonly diffstat: Diffstat;
}

/**
 * Parses `git log -1 --format=%H%x00%T%x00 --numstat -z`: the ids, an empty
 * field, then `<added>\t<deleted>\t<path>` entries (`-` for a binary file, which
 * counts as changed with no lines, as `--shortstat` counts it). Null when the
 * output does not have that shape.
 */
export function parseCommitSummary(output: string): CommitSummary | null {
  const [commit = '', tree = '', ...rest] = output.split('\0');
  const id = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
  if (!id.test(commit) || !id.test(tree)) return null;
  const files: string[] = [];
  let insertions = 0;
  let deletions = 0;
  for (const field of rest) {
    // Entries start with a digit or `-`; the newline before the first one separates it from the format.
    const entry = field.startsWith('\n') ? field.slice(1) : field;
    if (entry === '') continue;
    const match = /^(\d+|-)\t(\d+|-)\t([\s\S]+)$/.exec(entry);
    if (match === null) return null;
    insertions += match[1] === '-' ? 0 : Number(match[1]);
    deletions += match[2] === '-' ? 0 : Number(match[2]);
    files.push(match[3] ?? '');
  }
  return { commit, tree, changedFiles: files.sort(), diffstat: { filesChanged: files.length, insertions, deletions } };
}

/** The commit message with the trailers buran writes removed from what the caller wrote, and the real ones appended. */
export function attemptMessage(message: string, attemptId: string, trailers: readonly string[] = []): string {
  const keys = [ATTEMPT_TRAILER, ...trailers.map((t) => t.split(':')[0]?.trim() ?? '')].filter((k) => k !== '');
  const ours = (line: string) => keys.some((key) => new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`, 'i').test(line));
  const text = message.split('\n').filter((line) => !ours(line)).join('\n').trim();
  return `${text === '' ? `buran: attempt ${attemptId}` : text}\n\n${[`${ATTEMPT_TRAILER}: ${attemptId}`, ...trailers].join('\n')}\n`;
}

/** `git status` arguments that list untracked paths (a wholly untracked folder as one entry); read with untrackedFromStatus. */
export const UNTRACKED_STATUS_ARGS = ['status', '--porcelain=v1', '-z', '--untracked-files=normal', '--ignored=no', '--ignore-submodules=all'] as const;

/** The untracked paths in `git status` output of UNTRACKED_STATUS_ARGS, repo-relative, sorted. Pure. */
export function untrackedFromStatus(status: string): string[] {
  return status
    .split('\0')
    .filter((entry) => entry.startsWith('?? '))
    .map((entry) => entry.slice(3).replace(/\/$/, ''))
    .sort();
}

/** `git add` pathspecs that leave `paths` (setup's outputs) out, each taken literally. Pure. */
export function excludePathspecs(paths: readonly string[]): string[] {
  return paths.map((path) => `:(exclude,literal)${path}`);
}

/** Parses `git diff --shortstat`: " 2 files changed, 3 insertions(+), 1 deletion(-)". */
export function parseShortstat(text: string): Diffstat {
  const count = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
  return { filesChanged: count(/(\d+) files? changed/), insertions: count(/(\d+) insertions?\(\+\)/), deletions: count(/(\d+) deletions?\(-\)/) };
}

/**
 * `commitAttempt` of the git workspace. `trees` learns each commit's tree (a
 * commit's tree never changes), so a clean checkout of it need not ask again.
 */
export function createAttemptCommit(access: GitAccess, options: GitWorkspaceOptions, trees: Map<string, string>) {
  const { run, must, ownWorktree, diffFlags } = access;
  return async function commitAttempt({ worktree, attemptId, message, exclude = [] }: CommitRequest): Promise<CommitOutcome> {
    const idProblem = workspaceIdProblem(attemptId);
    if (idProblem !== null) throw new BuranError({ code: 'invalid_input', message: `attemptId ${idProblem}`, details: { attemptId } });
    const cwd = await ownWorktree(worktree);
    // The first parent's diff, also for a merge commit (what `diff <commit>^1 <commit>` shows).
    const summary = async (rev: string, reused: boolean): Promise<CommitOutcome> => {
      const args = ['log', '-1', '--diff-merges=first-parent', '--format=%H%x00%T%x00', '--numstat', '-z', ...diffFlags, rev, '--'];
      const parsed = parseCommitSummary(await must(cwd, args));
      if (parsed === null) throw new BuranError({ code: 'internal', message: `git ${args.join(' ')}: unexpected output`, details: { worktree: cwd } });
      trees.set(parsed.commit, parsed.tree);
      return { committed: true, commit: parsed.commit, changedFiles: parsed.changedFiles, diffstat: parsed.diffstat, reused };
    };
    await must(cwd, ['add', '--all', '--', '.', ...excludePathspecs(exclude)]);
    options.crash?.('commit.before-commit');
    const commitArgs = ['commit', '--no-verify', '--no-gpg-sign', '--cleanup=whitespace', '-F', '-'];
    const committed = await run(cwd, commitArgs, attemptMessage(message, attemptId, options.trailers));
    if (committed.exitCode === 0) return summary('HEAD', false);
    // git commit refuses when nothing is staged. Then HEAD may be this attempt's commit already (a repeat after a
    // crash: everything was committed, so nothing is left to stage), or there is nothing to commit (no empty commits).
    const staged = await run(cwd, ['diff', '--cached', '--quiet', '--ignore-submodules=all']);
    if (staged.exitCode === 0) {
      const [head = '', ...values] = (await must(cwd, ['log', '-1', `--format=%H%n%(trailers:key=${ATTEMPT_TRAILER},valueonly)`, 'HEAD', '--'])).split('\n');
      return values.some((value) => value.trim() === attemptId) ? summary(head, true) : { committed: false, head };
    }
    throw new BuranError({ code: 'internal', message: describeGitFailure(commitArgs, committed), details: { worktree: cwd, stderr: committed.stderr } });
  };
}
