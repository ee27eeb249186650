// Operator commands: pause, resume, cancel, unblock. Each is recorded with who and why.
// Definitions only; their code is in ../actions/control.ts.
import { type Command, InvalidArgumentError } from 'commander';
import { OPERATOR_DECISIONS, type OperatorDecision } from '../../domain/decisions.js';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';
import { runIdOption } from '../options.js';

const decisionOption = (value: string): OperatorDecision => {
  if (!(OPERATOR_DECISIONS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${OPERATOR_DECISIONS.join(', ')}`);
  return value as OperatorDecision;
};

export function registerControlCommands(program: Command, io: Io): void {
  const simple = [
    ['pause', 'PAUSE', 'Pause a run: no effect runs until resume (live workers keep running and are re-attached).'],
    ['resume', 'RESUME', 'Resume a paused run where it was (then drive it with buran run).'],
    ['cancel', 'CANCEL', "Cancel a run: ends its live workers' process groups and releases its lease."],
  ] as const;
  for (const [name, type, description] of simple) {
    program
      .command(name)
      .description(description)
      .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
      .option('--by <name>', 'who decides (default: $USER)')
      .option('--reason <text>', 'why', '')
      .option('--json', 'print {"runId", "status", "stage", "queued"}')
      .addHelpText('after', `\nExample:\n  buran ${name} --run add-greeting-xyz --reason "..."`)
      .action(lazyAction(io, async () => {
        const { simpleAction } = await import('../actions/control.js');
        return (actionIo: Io, opts: { run?: string; by?: string; reason: string; json?: boolean }) => simpleAction(actionIo, type, opts);
      }));
  }
  program
    .command('unblock')
    .description('Decide about a blocked run: retry (where the blocker allows it), cancel or abandon.')
    .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
    .requiredOption('--decision <decision>', OPERATOR_DECISIONS.join(' | '), decisionOption)
    .option('--by <name>', 'who decides (default: $USER)')
    .option('--reason <text>', 'why', '')
    .option('--json', 'print {"runId", "status", "stage", "queued"}')
    .addHelpText('after', '\nExample:\n  buran unblock --run add-greeting-xyz --decision retry --reason "installed the CLI"')
    .action(lazyAction(io, async () => (await import('../actions/control.js')).unblockAction));
}
