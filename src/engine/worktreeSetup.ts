// The packet's setup commands bound to one run: where they run (task and run
// worktrees once per epoch, each fresh verification checkout every time), how
// (confined like verification commands, BURAN_REPO_ROOT set) and the record
// in the run store that keeps a resumed task from setting up twice.
import type { SetupRecord } from '../domain/setup.js';
import { runSetup, type SetupResult } from '../gates/setup.js';
import type { SandboxPlan } from '../sandbox/index.js';
import { readSetupMarker, writeSetupMarker } from './setupMarker.js';

export interface WorktreeSetupOptions {
  /** The packet's setup commands; none: every call returns null and nothing runs. */
  readonly commands: readonly (readonly string[])[];
  readonly repoRoot: string;
  /** The run's folder in the store (markers go to `<runDir>/setup/`). */
  readonly runDir: string;
  readonly envAllowlist: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Per-command bound, milliseconds (the verification commands' bound). */
  readonly timeoutMs: number;
  readonly putEvidence: (text: string) => Promise<string>;
  readonly sandbox?: SandboxPlan;
  /**
   * Untracked paths git would add in a worktree; when given, what setup leaves untracked in a task or run worktree is
   * recorded as its outputs (never committed with an attempt). Before setup the worktree holds only committed files
   * and earlier setups' outputs, so everything untracked after it is setup's.
   */
  readonly untracked?: (worktree: string) => Promise<string[]>;
}

export interface WorktreeSetup {
  /** Setup in a worktree that lives on (task, run): skipped (`reused`) when it already succeeded there for `epoch`. */
  once(where: string, worktree: string, epoch: number): Promise<SetupResult | null>;
  /** Setup in a checkout made afresh for this use (verification): always runs. */
  fresh(where: string, checkout: string): Promise<SetupResult | null>;
  /** What setup left untracked in `worktree` for `epoch` (recorded when it passed); none without setup. */
  outputs(worktree: string, epoch: number): Promise<readonly string[]>;
}

/**
 * @example
 * const setup = createWorktreeSetup({ commands: packet.setup ?? [], repoRoot, runDir, envAllowlist, env, timeoutMs, putEvidence });
 * const result = await setup.once('task api', worktree, epoch); // null: the packet has no setup
 */
export function createWorktreeSetup(o: WorktreeSetupOptions): WorktreeSetup {
  const run = (where: string, cwd: string) =>
    runSetup({
      commands: o.commands,
      where,
      cwd,
      repoRoot: o.repoRoot,
      envAllowlist: o.envAllowlist,
      envSource: o.env,
      timeoutMs: o.timeoutMs,
      putEvidence: o.putEvidence,
      ...(o.sandbox === undefined ? {} : { sandbox: o.sandbox }),
    });
  return {
    async once(where, worktree, epoch) {
      if (o.commands.length === 0) return null;
      const key = { runDir: o.runDir, worktree, epoch, commands: o.commands };
      const done: SetupRecord | null = await readSetupMarker(key);
      if (done !== null) return { record: done, failed: null };
      const result = await run(where, worktree);
      if (result.failed !== null) return result;
      const outputs = o.untracked === undefined ? undefined : await o.untracked(worktree);
      const record: SetupRecord = outputs === undefined ? result.record : { ...result.record, outputs };
      // Only a setup that passed is recorded: a failed one runs again on retry.
      await writeSetupMarker(key, record);
      return { record, failed: null };
    },
    async outputs(worktree, epoch) {
      if (o.commands.length === 0) return [];
      return (await readSetupMarker({ runDir: o.runDir, worktree, epoch, commands: o.commands }))?.outputs ?? [];
    },
    async fresh(where, checkout) {
      if (o.commands.length === 0) return null;
      return run(where, checkout);
    },
  };
}
