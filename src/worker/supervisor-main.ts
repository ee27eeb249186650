// Entry point of the detached supervisor: `node supervisor-main.js <attemptDir> <specFile>`,
// or `node supervisor-main.js --warm`, started ahead of its attempt, which then arrives as
// one line on stdin (supervisorAssignment.ts). Through tsx from the sources; see
// supervisorCommand(). Node builtins only.
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { ATTEMPT_FILES } from './attemptFiles.js';
import { SUPERVISOR_EXIT, log, logTo, runSupervisor } from './supervisor.js';
import { WARM_FLAG, parseAssignment, readAssignmentLine } from './supervisorAssignment.js';

async function main(args: readonly string[]): Promise<number> {
  if (args.length === 1 && args[0] === WARM_FLAG) {
    // Everything above is loaded: what is left of the start is this read.
    const line = readAssignmentLine();
    if (line === null) return SUPERVISOR_EXIT.unassigned;
    const assignment = parseAssignment(line);
    if (typeof assignment === 'string') {
      log(`bad assignment: ${assignment}`);
      return SUPERVISOR_EXIT.usage;
    }
    logTo(openSync(join(assignment.attemptDir, ATTEMPT_FILES.supervisorLog), 'a'));
    return runSupervisor(assignment.attemptDir, assignment.specFile, assignment.env);
  }
  const [attemptDir, specPath] = args;
  if (attemptDir === undefined || specPath === undefined) {
    log(`usage: supervisor-main <attemptDir> <specFile> | supervisor-main ${WARM_FLAG}`);
    return SUPERVISOR_EXIT.usage;
  }
  return runSupervisor(attemptDir, specPath);
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (error) {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(SUPERVISOR_EXIT.failed);
}
