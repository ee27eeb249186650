// The worker adapter port: how one kind of coding agent is checked, invoked
// and judged. Owned by the core; adapters are passed in, never imported here.
import type { WorkerEnd } from '../../machines/task.types.js';
import type { Config } from '../domain/config.js';
import type { Packet } from '../domain/packet.js';
import type { Usage } from '../domain/usage.js';
import type { CompletionFileState, ExitInfo } from './completionFile.js';

export type PacketWorker = Packet['worker'];

/** What `check` gets: the packet's worker choice, the config, the runner's environment and the workspace. */
export interface AdapterCheckContext {
  readonly worker: PacketWorker;
  readonly config: Config;
  /** The runner's environment (injected; adapters never read process.env themselves). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The task's workspace, where relative executables are resolved. */
  readonly workspace: string;
}

export type AdapterCheck =
  | { readonly available: true }
  | { readonly available: false; readonly message: string; readonly details: Record<string, unknown> };

/** Everything an adapter needs to build one attempt's command line. */
export interface InvocationContext extends AdapterCheckContext {
  readonly runId: string;
  readonly taskId: string;
  readonly attemptId: string;
  /** 1-based attempt number of the task. */
  readonly attempt: number;
  readonly epoch: number;
  readonly promptFile: string;
  readonly completionFile: string;
  /**
   * `worker` (default) implements a task; `reviewer` only reads the workspace
   * and answers with a verdict, so agent adapters run it read-only.
   */
  readonly role?: 'worker' | 'reviewer';
  /**
   * The worker runs inside buran's own sandbox (a bubblewrap namespace that
   * leaves only the worktree, the attempt folder and the agent's config
   * folders writable). Default false. Agent adapters may then switch their
   * CLI's own command sandbox off for workers: the outer one confines them,
   * and a nested one depends on conditions buran does not control (see the
   * codex adapter). A reviewer keeps its CLI's read-only mode either way.
   */
  readonly sandboxed?: boolean;
}

/** A process to start: argv (no shell), its complete environment, and its folder. */
export interface Invocation {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** A file (absolute) the worker reads as its stdin, e.g. the prompt file; default: /dev/null. */
  readonly stdinFile?: string;
}

/** What an attempt left behind besides its exit and completion file, for adapters that parse their tool's output. */
export interface AttemptOutput {
  /** The end of stdout (see RESULT_TAIL_BYTES), control characters but tab and newline removed. */
  readonly stdoutTail: string;
  /** stdout was longer than the tail: its first line may be cut. */
  readonly stdoutTruncated: boolean;
  /** The argv the supervisor ran (spec.json); null when unknown. */
  readonly argv: readonly string[] | null;
}

/** The empty output: nothing printed, argv unknown. */
export const NO_OUTPUT: AttemptOutput = { stdoutTail: '', stdoutTruncated: false, argv: null };

/**
 * Turns how an attempt ended into its outcome. `exit` is null when the worker's
 * exit status is unknown (the supervisor died, or the group was ended after a
 * completion). `output` is what the worker printed (agent CLIs report their
 * result on stdout). Pure.
 */
export type DeriveOutcome = (exit: ExitInfo | null, completion: CompletionFileState, output: AttemptOutput) => WorkerEnd;

/**
 * How the agent's run ended, as its own output says:
 * - `success`: a final result that is not an error;
 * - `error`: an error result (API error, tool failure, refused input);
 * - `max_turns`: the turn limit was reached before the agent finished;
 * - `no_result`: the output ended without a final result (killed, crashed, cut off);
 * - `malformed`: the output is not the CLI's format (a line that is not JSON, an unknown shape).
 */
export type AgentRunState = 'success' | 'error' | 'max_turns' | 'no_result' | 'malformed';

export interface AgentRunResult {
  readonly state: AgentRunState;
  /** The agent's final message (its answer), when there is one. */
  readonly message: string | null;
  readonly sessionId: string | null;
  /** Input tokens (cached ones included), output tokens; null when the output reports none. */
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  /** Cost in US dollars: reported by the tool, or computed from a price table; null when unknown. */
  readonly costUsd: number | null;
  /** Tools the agent asked for and was refused (claude's permission_denials). */
  readonly permissionDenials: readonly string[];
  /** One line saying what happened, for summaries. */
  readonly detail: string;
  /** The text the result was read from (the result line), for a stable digest; null without one. */
  readonly evidence: string | null;
}

export interface WorkerAdapter {
  /** The name packets use in `worker.adapter`. */
  readonly name: string;
  /** Whether this adapter can run here (executable found, required settings present). Never throws for a missing tool. */
  check(ctx: AdapterCheckContext): Promise<AdapterCheck>;
  /** The command line of one attempt. Pure: same context, same invocation. */
  buildInvocation(ctx: InvocationContext): Invocation;
  deriveOutcome: DeriveOutcome;
  /** Spend reported by the tool's own output (the tail of stdout), when the completion file has none. */
  parseUsage?(stdoutTail: string): Usage | null;
  /**
   * How the tool's run ended, read from what it printed: final message,
   * session id, usage, cost, failure kind. Pure. Agent CLIs have it; the
   * agent reviewer reads its verdict from `message`.
   */
  parseResult?(output: AttemptOutput): AgentRunResult;
  /**
   * The attempt ends when the process exits, not when the completion file
   * appears: agent CLIs write the file mid-session and print their result
   * after it, so the file must not cut them short.
   */
  readonly awaitExit?: boolean;
  /**
   * What the tool needs from outside its worktree when it runs sandboxed (its
   * HOME is private and empty): e.g. the agent CLI's own config folder from the
   * real HOME. Absolute paths; missing ones are skipped.
   */
  sandboxPaths?(ctx: SandboxPathsContext): SandboxPaths;
}

export interface SandboxPathsContext {
  /** The runner's environment (the real HOME, the tool's own variables). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly config: Config;
  readonly role: 'worker' | 'reviewer';
}

/** Paths a sandboxed tool may read, or also write, beyond its worktree. */
export interface SandboxPaths {
  readonly readOnly?: readonly string[];
  readonly writable?: readonly string[];
}

/** The `unavailable` dispatch outcome: blocks the task with `adapter_unavailable`. */
export interface AdapterUnavailable {
  readonly status: 'unavailable';
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export interface AdapterRegistry {
  readonly names: readonly string[];
  /** The adapter, or the `unavailable` outcome naming the known ones. */
  resolve(name: string): { readonly adapter: WorkerAdapter } | AdapterUnavailable;
}

/**
 * A lookup over the adapters given. Two adapters with one name are a
 * programming error and throw.
 *
 * @example
 * const registry = createAdapterRegistry([createCommandAdapter()]);
 * const found = registry.resolve(packet.worker.adapter);
 * if ('status' in found) return found; // adapter_unavailable, nothing spawned
 */
export function createAdapterRegistry(adapters: readonly WorkerAdapter[]): AdapterRegistry {
  const byName = new Map<string, WorkerAdapter>();
  for (const adapter of adapters) {
    if (byName.has(adapter.name)) throw new Error(`createAdapterRegistry: two adapters are named "${adapter.name}"`);
    byName.set(adapter.name, adapter);
  }
  const names = [...byName.keys()].sort();
  return {
    names,
    resolve(name) {
      const adapter = byName.get(name);
      if (adapter !== undefined) return { adapter };
      return {
        status: 'unavailable',
        message: `unknown worker adapter "${name}"; known: ${names.map((n) => `"${n}"`).join(', ') || 'none'}`,
        details: { adapter: name, known: names },
      };
    },
  };
}
