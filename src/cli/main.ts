// The buran CLI: one commander program, thin commands, one error boundary.
// Only commander and the command definitions load up front: each command's
// code is imported when it runs (lazyAction.ts), the error table on an error.
import { closeQueues } from '../queue/openQueues.js';
import { Command, CommanderError } from 'commander';
import { registerControlCommands } from './commands/control.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerInspect } from './commands/inspect.js';
import { registerMachine } from './commands/machine.js';
import { registerPrune } from './commands/prune.js';
import { registerRunCommands } from './commands/runs.js';
import { registerSchema } from './commands/schema.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';
import { packageVersion } from '../platform/packageRoot.js';
import { EXIT } from './exitCodes.js';
import { type Io, processIo } from './io.js';

export function buildProgram(io: Io): Command {
  const program = new Command('buran')
    .description('Drive approved coding work through coding-agent workers to a review-ready handoff, or block with a reason.')
    .version(packageVersion(), '-V, --version', 'print the version of buran')
    .option('--debug', 'print stack traces of internal errors')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerRunCommands(program, io);
  registerValidate(program, io);
  registerControlCommands(program, io);
  registerSchema(program, io);
  registerDemo(program, io);
  registerMachine(program, io);
  registerInspect(program, io);
  registerPrune(program, io);
  registerDoctor(program, io);
  registerWorker(program, io);
  return program;
}

/** Run the CLI; resolves to the exit code. Never calls process.exit. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const capture: Io = { out: io.out, err: io.err, exit: (c) => (code = c) };
  const program = buildProgram(capture);
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    return await reportError(error, argv, io);
  } finally {
    // Attempt queues a run opened (config `queue`): their connections would keep the process alive.
    await closeQueues();
  }
}

async function reportError(error: unknown, argv: readonly string[], io: Io): Promise<number> {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  const { isBuranError } = await import('../domain/errors.js');
  if (isBuranError(error)) {
    io.err(`error [${error.code}]: ${error.message}`);
    if (error.nextSafeAction !== null) io.err(`next: ${error.nextSafeAction.text}${error.nextSafeAction.command === null ? '' : `\n  ${error.nextSafeAction.command}`}`);
    if (error.code === 'run_locked') return EXIT.locked;
    if (error.code === 'invalid_input' || error.code === 'not_found' || error.code === 'not_a_git_repo') return EXIT.badInput;
    return error.code === 'internal' ? EXIT.internal : EXIT.blocked;
  }
  io.err(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  if (argv.includes('--debug') && error instanceof Error && error.stack !== undefined) io.err(error.stack);
  else io.err('run again with --debug for the stack trace, and report it as a bug');
  return EXIT.internal;
}
