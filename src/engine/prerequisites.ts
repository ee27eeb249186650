// A stacked run's prerequisite (packet `after`): where it stands, read from its
// stored snapshot, and — once it is handoff-ready with its branch still on the
// handoff commit — the commit the stacked run starts from. Read-only: nothing
// here changes the prerequisite.
import type { HandoffInfo, PrerequisiteOutcome } from '../../machines/run.types.js';
import { BuranError } from '../domain/errors.js';
import { SnapshotDocSchema } from '../domain/snapshotDoc.js';
import { type ReadBranchTip, handoffMoved } from './handoffCheck.js';
import { restoredView } from './runView.js';
import { statusOf } from './runStatus.js';

/** What a stacked run learns about its prerequisites; `base` is set when they are ready (null: no prerequisite). */
export interface PrerequisiteCheck {
  readonly outcome: PrerequisiteOutcome;
  readonly base: { readonly runId: string; readonly commit: string; readonly branch: string } | null;
}

export interface PrerequisiteReaders {
  /** A run's stored snapshot document (rejects when the run is unknown). */
  readonly readSnapshot: (runId: string) => Promise<unknown>;
  readonly branchTip: ReadBranchTip;
}

const failed = (prerequisite: string, message: string, details: Record<string, unknown> = {}): PrerequisiteCheck => ({
  outcome: { status: 'failed', message, details: { prerequisite, ...details } },
  base: null,
});

/**
 * Check the prerequisites in order (a packet names at most one today); the first that is not ready decides.
 * @example
 * const { outcome, base } = await checkPrerequisiteRuns(['a-run'], { readSnapshot: (id) => store.readSnapshot(id), branchTip });
 */
export async function checkPrerequisiteRuns(runIds: readonly string[], read: PrerequisiteReaders): Promise<PrerequisiteCheck> {
  let base: PrerequisiteCheck['base'] = null;
  for (const runId of runIds) {
    const raw = await read.readSnapshot(runId).catch(() => null);
    const doc = SnapshotDocSchema.safeParse(raw);
    if (!doc.success) return failed(runId, `prerequisite run ${runId} cannot be read from the store (missing or not a run snapshot)`);
    const snap = restoredView(doc.data.snapshot);
    const status = statusOf(snap);
    if (status === 'blocked' || status === 'cancelled' || status === 'failed') {
      const code = snap.context.blocker?.code;
      return failed(runId, `prerequisite run ${runId} is ${status}${status === 'blocked' && code !== undefined ? ` (${code})` : ''}: it cannot hand off what this run was approved to build on`, { prerequisiteStatus: status, ...(code === undefined ? {} : { prerequisiteBlocker: code }) });
    }
    if (status !== 'handoff_ready') return { outcome: { status: 'waiting', waitingFor: { runId, status } }, base: null };
    const handoff: HandoffInfo | null = snap.context.handoff;
    if (handoff === null) return failed(runId, `prerequisite run ${runId} is handoff-ready but has no handoff record`);
    const moved = handoffMoved(runId, handoff, await read.branchTip(handoff.branch));
    if (moved !== null) return failed(runId, `prerequisite ${moved.message}`, { prerequisiteStatus: 'handoff_moved', recorded: moved.details['recorded'], current: moved.details['current'] });
    base = { runId, commit: handoff.commit, branch: handoff.branch };
  }
  return { outcome: { status: 'ready' }, base };
}

/**
 * The commit a stacked run starts from: its prerequisite's recorded handoff commit (a handed-off run's record never
 * changes, so every lease of the run finds the same one, even if that branch moves later). Throws when there is none:
 * a stacked run never falls back to the packet's base.
 */
export async function stackedBase(prerequisite: string, readSnapshot: (runId: string) => Promise<unknown>): Promise<string> {
  const doc = SnapshotDocSchema.safeParse(await readSnapshot(prerequisite).catch(() => null));
  const handoff = doc.success ? restoredView(doc.data.snapshot).context.handoff : null;
  if (handoff === null) {
    throw new BuranError({ code: 'internal', message: `prerequisite run ${prerequisite} has no recorded handoff commit to start from`, details: { prerequisite } });
  }
  return handoff.commit;
}
