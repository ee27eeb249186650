import type { Command } from 'commander';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';

/** `buran validate <packet>`: every problem with its field path; exit 2 when invalid. */
export function registerValidate(program: Command, io: Io): void {
  program
    .command('validate')
    .description('Check a packet (JSON or YAML): shape and sufficiency; prints every problem with its field path.')
    .argument('<packet>', 'packet file (.json, .yaml or .yml)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  buran validate packet.yaml')
    .action(lazyAction(io, async () => (await import('../actions/validate.js')).validateAction));
}
