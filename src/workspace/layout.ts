import { join } from 'node:path';
import { gitRefProblem } from '../domain/packet.js';

/**
 * Where buran keeps worktrees and which branches it uses. Pure.
 *
 * Task branches live under their own `buran-task/` prefix because git stores
 * refs as paths: with `buran/<runId>` a branch, `buran/<runId>/<taskId>`
 * cannot exist (a ref cannot be both a file and a directory).
 */

/** Run and task ids become directory and branch names: letters, digits, `.`, `_`, `-`; no `..`. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Why an id cannot name a worktree or branch, or null when it can. */
export function workspaceIdProblem(id: string): string | null {
  if (!ID_PATTERN.test(id)) return 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit';
  if (id.includes('..') || id.endsWith('.') || id.endsWith('.lock')) return "must not contain '..' or end with '.' or '.lock'";
  return null;
}

/**
 * True when `name` has the shape of a branch buran itself names (`buran/<id>`,
 * `buran-task/<id>/<id>`, every id passing workspaceIdProblem). Such a name is
 * a valid branch name by `git check-ref-format --branch`'s rules, without asking
 * git: its components are fixed words and ids of letters, digits, `.`, `_`, `-`
 * that start with a letter or digit (no component starts with `.` or `-`), hold
 * no `..`, `@`, control or special character, and do not end with `.` or `.lock`;
 * the name has no empty component, is not `HEAD` and is taken literally (no `@{-n}`).
 * Any other name is for git to judge.
 */
export function isBuranBranchName(name: string): boolean {
  const parts = name.split('/');
  const ids = parts[0] === 'buran' && parts.length === 2 ? parts.slice(1) : parts[0] === 'buran-task' && parts.length === 3 ? parts.slice(1) : null;
  return ids !== null && ids.every((id) => workspaceIdProblem(id) === null);
}

/** The run branch, which is also the handoff branch. */
export function runBranchName(runId: string): string {
  return `buran/${runId}`;
}

/** The branch one task's attempts commit to. */
export function taskBranchName(runId: string, taskId: string): string {
  return `buran-task/${runId}/${taskId}`;
}

/** `<storeDir>/worktrees`: every worktree buran creates lives below this directory. */
export function worktreesRoot(storeDir: string): string {
  return join(storeDir, 'worktrees');
}

export function runDir(storeDir: string, runId: string): string {
  return join(worktreesRoot(storeDir), runId);
}

export function runWorktreePath(storeDir: string, runId: string): string {
  return join(runDir(storeDir, runId), 'run');
}

export function taskWorktreePath(storeDir: string, runId: string, taskId: string): string {
  return join(runDir(storeDir, runId), 'tasks', taskId);
}

/** A clean checkout verification runs in (`name`: `task-<id>` or `run`): nothing the worker left untracked or ignored. */
export function verifyWorktreePath(storeDir: string, runId: string, name: string): string {
  return join(runDir(storeDir, runId), 'verify', name);
}

/** The lease record of a run: what was leased, so a re-lease re-attaches instead of re-resolving `base`. */
export function leaseRecordPath(storeDir: string, runId: string): string {
  return join(runDir(storeDir, runId), 'lease.json');
}

/** Checks ids and the branch they form; returns the first problem or null. */
export function branchProblem(kind: 'run' | 'task', runId: string, taskId?: string): string | null {
  const runProblem = workspaceIdProblem(runId);
  if (runProblem !== null) return `runId ${runProblem}`;
  if (kind === 'task') {
    const taskProblem = workspaceIdProblem(taskId ?? '');
    if (taskProblem !== null) return `taskId ${taskProblem}`;
  }
  const branch = kind === 'run' ? runBranchName(runId) : taskBranchName(runId, taskId ?? '');
  const refProblem = gitRefProblem(branch);
  return refProblem === null ? null : `branch ${branch} ${refProblem}`;
}
