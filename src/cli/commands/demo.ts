import type { Command } from 'commander';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';

/**
 * `buran demo`: the embedded-default main job. A temporary git repo from
 * examples/greeting, a two-task packet, the command adapter with the example's
 * scripted agent (its first attempt at one task fails verification on
 * purpose), real `node --test` verification, the built-in reviewer, handoff.
 */
export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('Run the whole loop on a temporary copy of examples/greeting (offline, about 5 s).')
    .option('--json', 'print events as NDJSON, then {"runId", "repo", "branch", "status", "report"}')
    .addHelpText('after', '\nExample:\n  buran demo')
    .action(lazyAction(io, async () => (await import('../actions/demo.js')).demoAction));
}
