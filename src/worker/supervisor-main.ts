// Entry point of the detached supervisor: `node supervisor-main.js <attemptDir> <specFile>`
// (or through tsx from the sources; see supervisorCommand()). Node builtins only.
import { SUPERVISOR_EXIT, runSupervisor } from './supervisor.js';

const [attemptDir, specPath] = process.argv.slice(2);
if (attemptDir === undefined || specPath === undefined) {
  process.stderr.write('usage: supervisor-main <attemptDir> <specFile>\n');
  process.exit(SUPERVISOR_EXIT.usage);
}
try {
  process.exit(await runSupervisor(attemptDir, specPath));
} catch (error) {
  process.stderr.write(`supervisor ${process.pid}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(SUPERVISOR_EXIT.failed);
}
