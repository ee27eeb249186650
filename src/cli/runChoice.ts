// Which run a command acts on: the one named by --run, or the most recent run
// of the repository (said on stderr, so scripts reading stdout are unaffected).
import { BuranError } from '../domain/errors.js';
import type { RunIndexEntry } from '../store/port.js';
import type { Io } from './io.js';

interface RunList {
  readonly storeDir: string;
  readonly store: { listRuns(): Promise<RunIndexEntry[]> };
}

/** The most recent run: latest createdAt, the later index entry on a tie. Pure. */
export function mostRecentRun(runs: readonly RunIndexEntry[]): RunIndexEntry | null {
  let best: RunIndexEntry | null = null;
  for (const r of runs) if (best === null || r.createdAt >= best.createdAt) best = r;
  return best;
}

/** The run id to act on; `not_found` for an unknown id, or when the repository has no run yet. */
export async function chooseRun(project: RunList, runId: string | undefined, io: Io): Promise<string> {
  const runs = await project.store.listRuns();
  if (runId !== undefined) {
    if (!runs.some((r) => r.runId === runId)) {
      throw new BuranError({ code: 'not_found', message: `no run ${runId} in ${project.storeDir}`, details: { runId }, nextSafeAction: { text: 'List the runs and use one of their ids.', command: 'buran status' } });
    }
    return runId;
  }
  const latest = mostRecentRun(runs);
  if (latest === null) {
    throw new BuranError({ code: 'not_found', message: `no runs yet in ${project.storeDir}`, details: {}, nextSafeAction: { text: 'Approve a packet to create a run.', command: 'buran approve <packet>' } });
  }
  io.err(`using run ${latest.runId} (most recent)`);
  return latest.runId;
}
