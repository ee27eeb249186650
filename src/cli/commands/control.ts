// Operator commands: pause, resume, cancel, unblock, decide. Each is recorded with who and why.
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
  program
    .command('decide')
    .description('Decide the approval gate a run waits for (packet policy.approvals): approve (next gate or handoff) or reject (a fix round with your reason, or the run ends, as the gate says).')
    .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
    .requiredOption('--gate <name>', 'the gate the run waits for (buran status shows it)')
    .option('--approve', 'approve the change for this gate')
    .option('--reject', 'reject it: the reason becomes the finding of a fix round (onReject "fix") or the run ends failed (onReject "end")')
    .requiredOption('--by <name>', 'who decides (recorded in the run)')
    .requiredOption('--reason <text>', 'why (recorded; on a rejection, what the fix round must address)')
    .option('--json', 'print {"runId", "status", "stage", "queued"}')
    .addHelpText('after', '\nExamples:\n  buran decide --run add-greeting-xyz --gate security --approve --by alice --reason "checked the auth change"\n  buran decide --run add-greeting-xyz --gate security --reject --by alice --reason "the token is logged in src/auth.ts"')
    .action(lazyAction(io, async () => (await import('../actions/control.js')).decideAction));
}
