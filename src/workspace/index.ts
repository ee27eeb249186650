// The workspace port (git worktrees, commits, merges) and scope locks across runs.
export { createGitWorkspace, attemptMessage, parseShortstat, ATTEMPT_TRAILER, RUN_TRAILER } from './workspace.js';
export type { Workspace, GitWorkspaceOptions, RunLeaseRequest, TaskWorkspaceRequest, TaskWorkspaceOutcome, CommitRequest, CommitOutcome, Diffstat, MergeRequest, CleanCheckout } from './workspace.js';
export { createScopeLocks, overlappingPairs, SCOPE_LOCKS_SCHEMA_ID } from './scopeLocks.js';
export type { ScopeLocks, ScopeLocksOptions, ScopeLockEntry, ScopeAcquireOutcome, OverlapPair } from './scopeLocks.js';
export { git, gitEnv, isValidBranchName, BURAN_IDENTITY } from './git.js';
export type { GitResult, GitOptions, GitIdentity } from './git.js';
export { parseNameStatus, parseZeroContextDiff, unquoteGitPath } from './diffParse.js';
export type { ChangedFile, ChangeStatus, FileDiffLines } from './diffParse.js';
export { runBranchName, taskBranchName, runWorktreePath, taskWorktreePath, workspaceIdProblem } from './layout.js';
export { withFileLock } from './fileLock.js';
export { readBranchTip } from './branchTip.js';
export type { BranchTip } from './branchTip.js';
