// Operator commands: pause, resume, cancel, unblock. Each is recorded with who and why.
import { type Command, InvalidArgumentError } from 'commander';
import { OPERATOR_DECISIONS, type OperatorDecision } from '../../domain/blockers.js';
import type { OperatorEvent } from '../../engine/inbox.js';
import { openProject } from '../../engine/project.js';
import type { RunStatus } from '../../engine/runStatus.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';
import { runIdOption, who } from '../options.js';
import { exitForStatus } from '../runExit.js';

const decisionOption = (value: string): OperatorDecision => {
  if (!(OPERATOR_DECISIONS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${OPERATOR_DECISIONS.join(', ')}`);
  return value as OperatorDecision;
};

/** Apply a command; when another process drives the run, wait (up to 10 s) for it to take the command. */
async function apply(runId: string, event: OperatorEvent, io: Io): Promise<RunStatus | null> {
  const project = await openProject({ cwd: process.cwd() });
  const result = await project.runner.command(runId, event);
  if (!('queued' in result)) {
    io.out(`run ${runId}: ${result.status} (${result.stage})`);
    return result.status;
  }
  for (let waited = 0; waited < 10_000 && (await project.runner.commandPending(runId, result.commandId)); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (await project.runner.commandPending(runId, result.commandId)) {
    io.out(`run ${runId} is being driven by another process; ${event.type} is queued for it (command ${result.commandId})`);
    return null;
  }
  await new Promise((r) => setTimeout(r, 300));
  const view = await project.runner.inspect(runId);
  io.out(`run ${runId}: ${view.status} (${view.stage}) — ${event.type} delivered to the driving process`);
  return view.status;
}

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
        const status = await apply(opts.run, { type, by: who(opts.by), reason: opts.reason }, io);
        io.exit(status === null ? EXIT.waiting : exitForStatus(status));
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
      const status = await apply(opts.run, { type: 'UNBLOCK', decision: opts.decision, by: who(opts.by), reason: opts.reason }, io);
      if (status === 'running') io.out(`next: buran run --run ${opts.run}`);
      io.exit(status === null ? EXIT.waiting : exitForStatus(status));
    });
}
