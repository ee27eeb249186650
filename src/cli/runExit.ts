import type { RunStatus } from '../engine/runStatus.js';
import { EXIT, type ExitCode } from './exitCodes.js';

/** The exit code of a run's status: 0 handoff, 3 blocked/failed (fail-closed), 4 resumable. */
export function exitForStatus(status: RunStatus): ExitCode {
  switch (status) {
    case 'handoff_ready':
      return EXIT.ok;
    case 'blocked':
    case 'failed':
      return EXIT.blocked;
    default:
      return EXIT.waiting;
  }
}
