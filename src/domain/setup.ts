// What the packet's setup commands did in one worktree or checkout, as the
// charts, the event log and the report keep it. The output tails are in each
// command's evidence (an artifact, redacted) and, on a failure, in the blocker.

/** One setup command. Units: milliseconds. `evidence` is the `sha256:` hash of its stored CommandEvidence. */
export interface SetupCommandRecord {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly evidence: string;
  /** Why it could not run or was stopped, when it was. */
  readonly error?: string;
}

/**
 * Setup in one place (`where`: `task <id>`, `run` or `verify <name>`).
 * `reused`: setup already succeeded in this worktree for this epoch (recorded in the run store), so nothing ran again.
 */
export interface SetupRecord {
  readonly where: string;
  readonly status: 'ok' | 'failed' | 'reused';
  readonly commands: readonly SetupCommandRecord[];
  /** Untracked paths in the worktree after setup (repo-relative): left out of every attempt commit there. */
  readonly outputs?: readonly string[];
}

/** The finding rule of a verification gate that could not run because setup failed in its checkout (the charts block with setup_failed). */
export const SETUP_FAILED_RULE = 'setup_failed';
