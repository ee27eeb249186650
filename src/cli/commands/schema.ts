import { type Command, InvalidArgumentError } from 'commander';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';

const NAMES = ['packet', 'completion', 'config', 'status'] as const;

/** `buran schema <name>`: print a JSON Schema. */
export function registerSchema(program: Command, io: Io): void {
  program
    .command('schema')
    .description(`Print the JSON Schema of a file format (${NAMES.join(' | ')}).`)
    .argument('<name>', NAMES.join(' | '), (value: string) => {
      if (!(NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${NAMES.join(', ')}`);
      return value;
    })
    .option('--json', 'accepted for symmetry: a schema is always printed as JSON')
    .addHelpText('after', '\nExample:\n  buran schema packet > packet.schema.json')
    .action(lazyAction(io, async () => (await import('../actions/schema.js')).schemaAction));
}
