// `buran machine export`: print (or write) one chart in an exact format.
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { EXPORT_FORMATS, MACHINE_NAMES } from '../../export/names.js';
import { lazyAction } from '../lazyAction.js';

export function registerMachine(program: Command, io: Io): void {
  const machine = program.command('machine').description('The statecharts themselves (machines/run.machine.ts, machines/task.machine.ts).');
  machine
    .command('export')
    .description('Export a chart exactly, from its config: every state, transition (eventless too), guard, action, invoked and spawned actor.')
    .option('--machine <name>', MACHINE_NAMES.join(' | '), 'run')
    .option('--format <format>', EXPORT_FORMATS.join(' | '), 'json')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--json', 'the chart as JSON (same as --format json); with --out, print {"file", "machine", "format"}')
    .addHelpText('after', '\nExamples:\n  buran machine export > run.json\n  buran machine export --machine task --format mermaid\n  buran machine export --format dot --out run.dot && dot -Tsvg run.dot > run.svg')
    .action(lazyAction(io, async () => (await import('../actions/machine.js')).exportAction));
}
