// Operator commands: pause, resume, cancel, unblock. Each is recorded with who and why.
import { type Command, InvalidArgumentError } from 'commander';
import { OPERATOR_DECISIONS, type OperatorDecision } from '../../domain/blockers.js';
import type { OperatorEvent } from '../../engine/inbox.js';
import { openProject } from '../../engine/project.js';
import type { RunStatus } from '../../engine/runStatus.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';
import { runIdOption, who } from '../options.js';
import { chooseRun } from '../runChoice.js';

/** What an operator command did: applied (with the run's status after it) or queued for the process driving the run. */
interface Applied {
  readonly runId: string;
  readonly status: RunStatus | null;
  readonly stage: string | null;
  readonly queued: string | null;
}

const decisionOption = (value: string): OperatorDecision => {
  if (!(OPERATOR_DECISIONS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${OPERATOR_DECISIONS.join(', ')}`);
  return value as OperatorDecision;
};

/**
 * Apply a command; when another process drives the run, wait (up to 10 s) for
 * it to take the command. Exit 0 when it was applied (a refused command throws
 * and exits 2), 4 when it is still queued for the driving process.
 */
async function apply(runOption: string | undefined, event: (runId: string) => OperatorEvent, io: Io, json: boolean): Promise<Applied> {
  const project = await openProject({ cwd: process.cwd() });
  const runId = await chooseRun(project, runOption, io);
  const say = (a: Applied, text: string) => {
    io.out(json ? JSON.stringify(a) : text);
    io.exit(a.queued === null ? EXIT.ok : EXIT.waiting);
    return a;
  };
  const result = await project.runner.command(runId, event(runId));
  const type = event(runId).type;
  if (!('queued' in result)) return say({ runId, status: result.status, stage: result.stage, queued: null }, `run ${runId}: ${result.status} (${result.stage})`);
  for (let waited = 0; waited < 10_000 && (await project.runner.commandPending(runId, result.commandId)); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (await project.runner.commandPending(runId, result.commandId)) {
    return say({ runId, status: null, stage: null, queued: result.commandId }, `run ${runId} is being driven by another process; ${type} is queued for it (command ${result.commandId})`);
  }
  await new Promise((r) => setTimeout(r, 300));
  const view = await project.runner.inspect(runId);
  return say({ runId, status: view.status, stage: view.stage, queued: null }, `run ${runId}: ${view.status} (${view.stage}) — ${type} delivered to the driving process`);
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
      .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
      .option('--by <name>', 'who decides (default: $USER)')
      .option('--reason <text>', 'why', '')
      .option('--json', 'print {"runId", "status", "stage", "queued"}')
      .addHelpText('after', `\nExample:\n  buran ${name} --run add-greeting-xyz --reason "..."`)
      .action(async (opts: { run?: string; by?: string; reason: string; json?: boolean }) => {
        await apply(opts.run, () => ({ type, by: who(opts.by), reason: opts.reason }), io, opts.json === true);
      });
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
    .action(async (opts: { run?: string; decision: OperatorDecision; by?: string; reason: string; json?: boolean }) => {
      const done = await apply(opts.run, () => ({ type: 'UNBLOCK', decision: opts.decision, by: who(opts.by), reason: opts.reason }), io, opts.json === true);
      if (done.status === 'running' && opts.json !== true) io.out(`next: buran run --run ${done.runId}`);
    });
}
