// Preflight: whether this system can track a worker's processes at all
// (liveness that survives pid reuse, process groups). Without a process table
// nothing a worker starts could be told apart from a stranger or ended, so the
// run blocks before any worker starts.
import type { PreflightOutcome } from '../../machines/run.types.js';
import { type ProcessFacts, systemProcessFacts } from '../platform/process.js';

/** `ok`, or `platform_unsupported` with what was tried and how to fix it. */
export function checkProcessTable(facts: ProcessFacts = systemProcessFacts): PreflightOutcome {
  if (facts.procAvailable()) return { status: 'ok' };
  return {
    status: 'platform_unsupported',
    message: `this system's process table cannot be read (tried: ${facts.table.name === 'linux' ? 'Linux /proc' : facts.table.name === 'posix' ? 'ps' : 'nothing'}): buran needs Linux /proc, or /bin/ps or /usr/bin/ps answering \`ps -A -o pid= -o ppid= -o pgid= -o state= -o lstart=\` (macOS, the BSDs), to track and end worker processes; no worker was started`,
    details: { processTable: facts.table.name, platform: process.platform },
  };
}
