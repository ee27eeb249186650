// The worker adapter port: how one kind of coding agent is checked, invoked
// and judged. Owned by the core; adapters are passed in, never imported here.
import type { WorkerOutcome } from '../../machines/task.types.js';
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
}

/** A process to start: argv (no shell), its complete environment, and its folder. */
export interface Invocation {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/**
 * Turns how an attempt ended into its outcome. `exit` is null when the worker's
 * exit status is unknown (the supervisor died, or the group was ended after a
 * completion). Pure.
 */
export type DeriveOutcome = (exit: ExitInfo | null, completion: CompletionFileState) => WorkerOutcome;

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
