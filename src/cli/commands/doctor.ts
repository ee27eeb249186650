// `buran doctor [--fix]`: the definition; its code is in ../actions/doctor.ts.
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';

export function registerDoctor(program: Command, io: Io): void {
  program
    .command('doctor')
    .description('Check every run folder (log order and chain, snapshot against the log, every stored artifact, the seal) and the run index; list what finished runs left behind. Changes nothing without --fix.')
    .option('--fix', 'rebuild a lost, broken or stale index from the run folders; move runs that cannot be proven to .buran/quarantine/<runId>/ (nothing is deleted)')
    .option('--json', 'print { report, fix } (fix is null without --fix)')
    .addHelpText('after', '\nExit: 0 healthy (or repaired with --fix), 6 something for --fix to repair (with --fix: a run it could not move because a process drives it).\nExamples:\n  buran doctor\n  buran doctor --fix')
    .action(lazyAction(io, async () => (await import('../actions/doctor.js')).doctorAction));
}
