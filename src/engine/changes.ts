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
 * The changes of a run up to `target.commit`, or null when git cannot answer
 * (a commit gone since): the report then says nothing about them rather than
 * something wrong.
 */
export async function runChanges(repoRoot: string, snap: SnapshotLike, target: ChangeTarget, redact: (text: string) => string): Promise<RunChanges | null> {
  const c = snap.context;
  const { base, branch, commit } = target;
  const stat = await git(repoRoot, ['diff', ...DIFF_FLAGS, '--stat=100', `${base}...${commit}`]);
  if (stat.exitCode !== 0) return null;
  const tasks: RunChanges['tasks'][number][] = [];
  for (const t of c.tasks) {
    const child = taskSnapshot(snap.children[`task:${t.id}`]);
    if (child === null) continue;
    const files = new Set<string>();
    for (const e of child.context.history) {
      if (e.kind !== 'merged') continue;
      // A task merge is a merge commit on the run branch: its first parent is the branch before it.
      const names = await git(repoRoot, ['diff', ...DIFF_FLAGS, '--name-only', '-z', `${e.commit}^1`, e.commit]);
      if (names.exitCode !== 0) continue;
      for (const f of names.stdout.split('\0')) if (f !== '') files.add(redact(f));
    }
    tasks.push({ taskId: t.id, files: [...files].sort() });
  }
  // File names are the worker's text: shown redacted and display-safe, like every other text of a run.
  return { base, branch, diffStat: redact(stat.stdout), tasks };
}
