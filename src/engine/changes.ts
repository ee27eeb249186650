// What a handed-off run changed, read from git: the diff stat of the run
// branch against its base, and the files each task's merges changed.
import type { RunContext } from '../../machines/run.types.js';
import { git } from '../workspace/git.js';
import { taskSnapshot } from './report.js';

export interface RunChanges {
  readonly base: string;
  readonly branch: string;
  /** `git diff --stat <base>...<branch>`, as git prints it. */
  readonly diffStat: string;
  readonly tasks: readonly { readonly taskId: string; readonly files: readonly string[] }[];
}

interface SnapshotLike {
  readonly context: RunContext;
  readonly children: Readonly<Record<string, unknown>>;
}

const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--no-relative'] as const;

export interface ChangeTarget {
  readonly base: string;
  readonly branch: string;
  /** The commit handed off (the branch tip at handoff). */
  readonly commit: string;
}

/** The target of a handed-off run's context; null before handoff. */
export function handedOff(c: RunContext): ChangeTarget | null {
  if (c.handoff === null || c.lease === null) return null;
  return { base: c.lease.baseCommit, branch: c.handoff.branch, commit: c.handoff.commit };
}

/**
 * Parses `git log --no-walk --format=%x00%H --name-only -z`: an empty field,
 * then a commit id, then its files (the first one after a newline); file names
 * are never empty, so an empty field always starts the next commit.
 */
export function parseNamesPerCommit(output: string): Map<string, string[]> {
  const fields = output.split('\0');
  const found = new Map<string, string[]>();
  let files: string[] | null = null;
  for (let i = 0; i < fields.length; i += 1) {
    const field = fields[i] ?? '';
    if (field === '') {
      const id = fields[i + 1] ?? '';
      if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(id)) continue;
      files = [];
      found.set(id, files);
      i += 1;
      if ((fields[i + 1] ?? '').startsWith('\n')) fields[i + 1] = (fields[i + 1] ?? '').slice(1);
    } else {
      files?.push(field);
    }
  }
  return found;
}

/**
 * The files each commit changed against its first parent (a task merge is a merge commit on the run branch: its
 * first parent is the branch before it), in one git process; commit by commit when that fails (one is gone since),
 * leaving out the ones git cannot show.
 */
async function mergedFiles(repoRoot: string, commits: readonly string[]): Promise<Map<string, string[]>> {
  if (commits.length === 0) return new Map();
  const all = await git(repoRoot, ['log', '--no-walk=unsorted', '--diff-merges=first-parent', ...DIFF_FLAGS, '--name-only', '-z', '--format=%x00%H', ...commits, '--']);
  if (all.exitCode === 0) return parseNamesPerCommit(all.stdout);
  const found = new Map<string, string[]>();
  for (const commit of commits) {
    const names = await git(repoRoot, ['diff', ...DIFF_FLAGS, '--name-only', '-z', `${commit}^1`, commit]);
    if (names.exitCode === 0) found.set(commit, names.stdout.split('\0').filter((f) => f !== ''));
  }
  return found;
}

/**
 * The changes of a run up to `target.commit`, or null when git cannot answer
 * (a commit gone since): the report then says nothing about them rather than
 * something wrong.
 */
export async function runChanges(repoRoot: string, snap: SnapshotLike, target: ChangeTarget, redact: (text: string) => string): Promise<RunChanges | null> {
  const c = snap.context;
  const { base, branch, commit } = target;
  const stat = await git(repoRoot, ['diff', ...DIFF_FLAGS, '--stat=100', `${base}...${commit}`]);
  if (stat.exitCode !== 0) return null;
  const merges = new Map<string, string[]>();
  for (const t of c.tasks) {
    const child = taskSnapshot(snap.children[`task:${t.id}`]);
    if (child !== null) merges.set(t.id, child.context.history.flatMap((e) => (e.kind === 'merged' ? [e.commit] : [])));
  }
  const namesOf = await mergedFiles(repoRoot, [...new Set([...merges.values()].flat())]);
  const tasks: RunChanges['tasks'][number][] = [];
  for (const [taskId, commits] of merges) {
    const files = new Set<string>();
    for (const commit of commits) for (const f of namesOf.get(commit) ?? []) files.add(redact(f));
    tasks.push({ taskId, files: [...files].sort() });
  }
  // File names are the worker's text: shown redacted and display-safe, like every other text of a run.
  return { base, branch, diffStat: redact(stat.stdout), tasks };
}
