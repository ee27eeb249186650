// `buran prune`: remove the worktrees, branches and fetched attempt refs of finished runs (dry run by default).
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';

export function registerPrune(program: Command, io: Io): void {
  program
    .command('prune')
    .description('Remove the worktrees, branches and fetched attempt refs (refs/buran/fetched/*) of finished runs (handed off, cancelled or failed). Prints what it would remove; --yes removes it. Handoff branches stay unless --include-handoff.')
    .option('--yes', 'remove what is listed (default: only list it)')
    .option('--include-handoff', 'also delete the branches of handed-off runs (the handed-off work: merge it first)')
    .option('--json', 'print { dryRun, runs: [{ runId, stage, worktrees, branches, fetchedRefs: [{ ref, commit }], keptHandoff }], skipped }')
    .addHelpText('after', '\nExamples:\n  buran prune\n  buran prune --yes\n  buran prune --yes --include-handoff')
    .action(lazyAction(io, async () => (await import('../actions/prune.js')).pruneAction));
}
