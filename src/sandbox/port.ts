// The sandbox port: how a process buran runs on the worker's behalf (the
// worker, the agent reviewer, verification commands) is confined. Owned by the
// core; the bubblewrap implementation and the unconfined one live beside it.

/** `auto`: bubblewrap where it works, else unsandboxed and said so; `required`: block when it cannot be set up; `none`: trusted workers, never confined. */
export type SandboxMode = 'auto' | 'required' | 'none';

/** What one confined process may see and touch. Absolute paths. */
export interface Confinement {
  /** The folder the process works in (its worktree), writable unless `workdirReadOnly`. Also its working directory. */
  readonly workdir: string;
  /** The agent reviewer reads the worktree but may not change it. */
  readonly workdirReadOnly?: boolean;
  /** Further folders it may write (an attempt's output folder). */
  readonly writable: readonly string[];
  /**
   * Shown read-only even where a private or hidden folder covers them: the
   * worktree's `.git` pointer (else the worker could repoint it at a fake git
   * dir the runner then trusts), the prompt file, the agent's own config.
   */
  readonly readOnly: readonly string[];
  /** Folders made invisible (an empty, private folder in their place): the run store. */
  readonly hidden: readonly string[];
  /** Folders that stay visible read-only though they sit under the private tmp or HOME: the repository, its git dir, the tools. */
  readonly keepVisible: readonly string[];
  /** The HOME the process sees, replaced by a private empty one; undefined: no HOME. */
  readonly home: string | undefined;
  /** Whether the process may use the network (agents need their API). */
  readonly network: boolean;
}

/** A way to confine processes. `wrap` is pure: it turns an argv into the argv that runs it confined. */
export interface Sandbox {
  /** `bwrap` confines; `none` runs the argv as given (trusted-worker mode, shown as unsandboxed). */
  readonly kind: 'bwrap' | 'none';
  /**
   * True when every process it confines runs in a PID namespace of its own that the kernel ends (killing every
   * member) when the confined process ends or its parent dies: nothing of it can outlive it.
   */
  readonly pidNamespace?: boolean;
  wrap(argv: readonly string[], confinement: Confinement): readonly string[];
}

/** The unconfined sandbox: the argv as given. */
export const UNSANDBOXED: Sandbox = { kind: 'none', wrap: (argv) => argv };

/** How a run's processes are confined, as decided at preflight. */
export type SandboxChoice =
  | { readonly status: 'ok'; readonly sandbox: Sandbox; readonly mode: SandboxMode; readonly note: string }
  | { readonly status: 'unavailable'; readonly mode: SandboxMode; readonly message: string; readonly details: Record<string, unknown> };
