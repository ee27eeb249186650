// Operator commands: pause, resume, cancel, unblock. Each is recorded with who and why.
import { type Command, InvalidArgumentError } from 'commander';
import { OPERATOR_DECISIONS, type OperatorDecision } from '../../domain/blockers.js';
import { openProject } from '../../engine/project.js';
import type { Io } from '../io.js';
import { runIdOption, who } from '../options.js';
import { exitForStatus } from '../runExit.js';

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
      .requiredOption('--run <id>', 'run id', runIdOption)
      .option('--by <name>', 'who decides (default: $USER)')
      .option('--reason <text>', 'why', '')
      .addHelpText('after', `\nExample:\n  buran ${name} --run add-greeting-xyz --reason "..."`)
      .action(async (opts: { run: string; by?: string; reason: string }) => {
        const project = await openProject({ cwd: process.cwd() });
        const result = await project.runner.command(opts.run, { type, by: who(opts.by), reason: opts.reason });
        io.out(`run ${opts.run}: ${result.status} (${result.stage})`);
        io.exit(exitForStatus(result.status));
      });
  }
  program
    .command('unblock')
    .description('Decide about a blocked run: retry (where the blocker allows it), cancel or abandon.')
    .requiredOption('--run <id>', 'run id', runIdOption)
    .requiredOption('--decision <decision>', OPERATOR_DECISIONS.join(' | '), decisionOption)
    .option('--by <name>', 'who decides (default: $USER)')
    .option('--reason <text>', 'why', '')
    .addHelpText('after', '\nExample:\n  buran unblock --run add-greeting-xyz --decision retry --reason "installed the CLI"')
    .action(async (opts: { run: string; decision: OperatorDecision; by?: string; reason: string }) => {
      const project = await openProject({ cwd: process.cwd() });
      const result = await project.runner.command(opts.run, { type: 'UNBLOCK', decision: opts.decision, by: who(opts.by), reason: opts.reason });
      io.out(`run ${opts.run}: ${result.status} (${result.stage})${result.status === 'running' ? `\nnext: buran run --run ${opts.run}` : ''}`);
      io.exit(exitForStatus(result.status));
    });
}
