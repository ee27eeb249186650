import type { Command } from 'commander';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';

/**
 * `buran demo`. Not built yet: the end-to-end demo needs the durable engine
 * (worktrees, worker supervisor, gates) and the run commands. Until then it
 * says so and points at what can be tried today.
 */
export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('Run the embedded end-to-end demo (not built yet: see output).')
    .action(() => {
      io.out('buran demo: not yet built.');
      io.out('The end-to-end demo (a two-task packet driven through a scripted worker, real verification,');
      io.out('a fix round and handoff) lands with the durable engine and the run commands.');
      io.out('What works today:');
      io.out('  buran validate test/fixtures/packets/two-tasks.yaml   check a packet');
      io.out('  buran schema packet                                  print the packet JSON Schema');
      io.out('  npm run test:model                                   walk every path of the run statechart');
      io.out('  docs/statechart.md                                   the charts, their guards and blockers');
      io.exit(EXIT.ok);
    });
}
