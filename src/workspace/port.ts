import type { LeaseOutcome } from '../../machines/run.types.js';
import type { MergeOutcome } from '../../machines/task.types.js';
import type { ChangedFile, FileDiffLines } from './diffParse.js';

// The workspace port: what the engine needs from a workspace, with no git in
// sight. `createGitWorkspace` (workspace.ts) is the implementation.

/** The trailer that ties a commit to the attempt that made it. */
export const ATTEMPT_TRAILER = 'Buran-Attempt';
/** The trailer naming the run on every commit buran makes. */
export const RUN_TRAILER = 'Buran-Run';

export interface RunLeaseRequest {
  readonly runId: string;
  /** Ref or commit the run branch starts from; resolved once, at the first lease. */
  readonly base: string;
}

export interface TaskWorkspaceRequest {
  readonly runId: string;
  readonly taskId: string;
  /** 1 for the implementation; a fix round (> 1) first merges the run branch tip into the task branch. */
  readonly epoch: number;
  readonly attemptId: string;
  /**
   * False for the steps after an attempt was prepared (its commit, gates, merge): the worktree is re-attached but a
   * fix round does not take the run branch in again, so what is verified, reviewed and merged is what the attempt
   * committed. Default true (preparing the attempt).
   */
  readonly update?: boolean;
}

/** A checkout verification runs in, and exactly what it holds. */
export interface CleanCheckout {
  readonly path: string;
  readonly commit: string;
  readonly tree: string;
}

export type TaskWorkspaceOutcome =
  | { readonly status: 'ready'; readonly branch: string; readonly worktree: string }
  | { readonly status: 'conflict'; readonly files: readonly string[]; readonly message: string };

export interface CommitRequest {
  readonly worktree: string;
  readonly attemptId: string;
  /** Commit message; any `Buran-Attempt:` line in it is dropped, the real trailer is appended. */
  readonly message: string;
  /** Repo-relative paths never staged (what the packet's setup made in the worktree); default none. */
  readonly exclude?: readonly string[];
}

export interface Diffstat {
  readonly filesChanged: number;
  readonly insertions: number;
  readonly deletions: number;
}

export type CommitOutcome =
  | {
      readonly committed: true;
      readonly commit: string;
      /** Repo-relative paths the commit changed, sorted. */
      readonly changedFiles: readonly string[];
      readonly diffstat: Diffstat;
      /** True when HEAD already was this attempt's commit (a repeated call). */
      readonly reused: boolean;
    }
  | { readonly committed: false; readonly head: string };

export interface MergeRequest {
  readonly runWorktree: string;
  readonly taskBranch: string;
  readonly taskId: string;
  readonly epoch: number;
}

export interface PublishCommitRequest {
  /** A git URL (a bare repository path works). */
  readonly remote: string;
  readonly commit: string;
  /** Under refs/buran/. */
  readonly ref: string;
}

export interface AdoptRemoteAttemptRequest {
  /** The task worktree, at `base`. */
  readonly worktree: string;
  readonly attemptId: string;
  /** The attempt's job id (run id + attempt id): names the local ref it is fetched into. Absent: the attempt id (runners before job ids). */
  readonly jobId?: string;
  readonly remote: string;
  /** Where the worker agent pushed it (refs/buran/attempts/<jobId>). */
  readonly ref: string;
  /** The commit the accepted job result names: the only one taken. */
  readonly commit: string;
  /** The task's base the job carried: the commit's one parent. */
  readonly base: string;
}

/** A local ref that holds a fetched attempt commit (`refs/buran/fetched/<attemptId>`), with the commit it held when read. */
export interface FetchedAttemptRef {
  readonly ref: string;
  readonly commit: string;
}

export type AdoptRemoteAttemptOutcome =
  | { readonly status: 'adopted'; readonly commit: string; readonly changedFiles: readonly string[] }
  /** Not taken: the worker's output is not what the result named, or not a child of the base (files: what is named). */
  | { readonly status: 'refused'; readonly reason: string; readonly files: readonly string[] }
  /** The remote did not answer: nothing is known about the attempt's commit yet (try again later). */
  | { readonly status: 'unreachable'; readonly reason: string };

/**
 * The workspace port: isolated git worktrees for a run and its tasks. Every
 * method is idempotent (a repeated call after a crash re-attaches), and none
 * touches the user's checkout: its working tree, index and HEAD stay as they are.
 */
export interface Workspace {
  leaseRunWorkspace(request: RunLeaseRequest): Promise<LeaseOutcome>;
  taskWorkspace(request: TaskWorkspaceRequest): Promise<TaskWorkspaceOutcome>;
  commitAttempt(request: CommitRequest): Promise<CommitOutcome>;
  /** Push a commit to a refs/buran/ ref of a remote (a task's base, for worker agents on other machines). */
  publishCommit(request: PublishCommitRequest): Promise<void>;
  /** Fetch an attempt's commit that ran on another machine and fast-forward the task worktree to it, or refuse it. */
  adoptRemoteAttempt(request: AdoptRemoteAttemptRequest): Promise<AdoptRemoteAttemptOutcome>;
  /** Files HEAD changed since it forked from `base` (three-dot: changes `base` gained meanwhile are not counted). */
  changedFilesSince(worktree: string, base: string): Promise<ChangedFile[]>;
  /** Added line numbers per file since the fork point from `base`. */
  diffLinesSince(worktree: string, base: string): Promise<FileDiffLines[]>;
  /** changedFilesSince and diffLinesSince together, from one diff. */
  changesSince(worktree: string, base: string): Promise<{ readonly changedFiles: ChangedFile[]; readonly diffLines: FileDiffLines[] }>;
  diffForFile(worktree: string, base: string, file: string): Promise<FileDiffLines>;
  /**
   * A changed file's content at the fork point from `base` and at HEAD, from git's objects (no filters, no textconv):
   * null where it does not exist (`status` of changedFilesSince says which side). Throws when a blob is over `maxBytes`.
   */
  fileSinceFork(worktree: string, base: string, file: ChangedFile, maxBytes: number): Promise<{ before: string | null; after: string | null }>;
  /** The patch HEAD made since it forked from `base` (the same fork point and flags as changedFilesSince): what a reviewer reads. */
  diffSince(worktree: string, base: string): Promise<string>;
  /** HEAD and the full `git status` of the worktree: equal before and after means nothing in it changed. Throws when git fails. */
  stateOf(worktree: string): Promise<string>;
  /** Untracked paths git would add (not ignored; a wholly untracked folder is one entry, without its trailing `/`). */
  untrackedPaths(worktree: string): Promise<string[]>;
  mergeTaskIntoRun(request: MergeRequest): Promise<MergeOutcome>;
  /**
   * A clean detached checkout of `worktree`'s HEAD (the commit that will be
   * merged or handed off) in the run's verify folder: no untracked or ignored
   * file the worker left. Re-used and reset on later calls.
   */
  cleanCheckout(request: { readonly runId: string; readonly name: string; readonly worktree: string }): Promise<CleanCheckout>;
  /** Removes the run's worktrees; keeps its branches (the handoff branch must stay) and its lease record. */
  releaseRunWorkspace(runId: string): Promise<void>;
  /** What the run still has in the repository: its registered worktrees and its branches (run branch first, then task branches). */
  runLeftovers(runId: string): Promise<{ readonly worktrees: readonly string[]; readonly branches: readonly string[] }>;
  /** Deletes branches of the run (`buran/<runId>`, `buran-task/<runId>/…`); any other name is `invalid_input`. */
  deleteRunBranches(runId: string, branches: readonly string[]): Promise<void>;
  /**
   * The fetched refs of these queued attempts that still hold a child of the attempt's recorded base: the run's own
   * attempt commit (attempt ids repeat across runs, so a ref another run fetched since, from another base, is not listed).
   */
  fetchedAttemptRefs(attempts: readonly { readonly attemptId: string; readonly baseCommit: string; readonly jobId?: string | undefined }[]): Promise<FetchedAttemptRef[]>;
  /** Deletes fetched refs if each still holds the commit listed (compare and delete); one that moved since is left as it is. */
  deleteFetchedRefs(refs: readonly FetchedAttemptRef[]): Promise<void>;
}
