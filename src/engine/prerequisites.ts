// A stacked run's prerequisite (packet `after`): where it stands, read from its
// stored records through the same checks every reader makes (the log covers
// the snapshot, the seal holds, every artifact matches its address), and —
// once it is handoff-ready with its branch still on the handoff commit — the
// commit the stacked run starts from. Read-only: nothing here changes the
// prerequisite. A prerequisite whose records were changed outside buran is
// never built on: a worker that edits another run's snapshot cannot choose
// the commit this run starts from.
import type { HandoffInfo, PrerequisiteOutcome } from '../../machines/run.types.js';
import { BuranError, isBuranError } from '../domain/errors.js';
import { type ReadBranchTip, handoffMoved } from './handoffCheck.js';
import { type RunRecords, createRunRecords } from './runRecords.js';
import { readSealedFiles } from './sealedFiles.js';
import type { EngineStore } from './storePort.js';
import { type RunSnapshot, restoredView } from './runView.js';
import { statusOf } from './runStatus.js';

/** What a stacked run learns about its prerequisites; `base` is set when they are ready (null: no prerequisite). */
export interface PrerequisiteCheck {
  readonly outcome: PrerequisiteOutcome;
  readonly base: { readonly runId: string; readonly commit: string; readonly branch: string } | null;
}

/** A prerequisite as its checked records show it, or why it cannot be trusted. */
export type CheckedPrerequisite =
  | { readonly ok: true; readonly snap: RunSnapshot }
  | { readonly ok: false; readonly code: 'unreadable' | 'evidence_tampered'; readonly message: string; readonly details: Record<string, unknown> };

export interface PrerequisiteReaders {
  /** A prerequisite run, read through the checks every reader makes (checkedRun). */
  readonly readRun: (runId: string) => Promise<CheckedPrerequisite>;
  readonly branchTip: ReadBranchTip;
}

/**
 * A run read the way `status` reads it: snapshot and log (the log must cover the snapshot), then the seal and every
 * artifact the records name. Never throws for a run that cannot be trusted; says why instead.
 * @example
 * const checked = await checkedRun(records, 'a-run'); // { ok: true, snap } | { ok: false, code: 'evidence_tampered', ... }
 */
export async function checkedRun(records: Pick<RunRecords, 'load' | 'tamperOf'>, runId: string): Promise<CheckedPrerequisite> {
  let loaded: Awaited<ReturnType<RunRecords['load']>>;
  try {
    loaded = await records.load(runId);
  } catch (error) {
    const reason = isBuranError(error) ? error.message : String(error);
    return { ok: false, code: 'unreadable', message: `prerequisite run ${runId} cannot be read from the store: ${reason}`, details: { prerequisiteStatus: 'unreadable' } };
  }
  const tampered = await records.tamperOf(runId, loaded.doc, loaded.log.raw);
  if (tampered !== null) {
    return { ok: false, code: 'evidence_tampered', message: `prerequisite ${tampered.message}`, details: { prerequisiteStatus: 'evidence_tampered', file: tampered.details['file'] } };
  }
  return { ok: true, snap: restoredView(loaded.doc.snapshot) };
}

const failed = (prerequisite: string, message: string, details: Record<string, unknown> = {}): PrerequisiteCheck => ({
  outcome: { status: 'failed', message, details: { prerequisite, ...details } },
  base: null,
});

/**
 * Check the prerequisites in order (a packet names at most one today); the first that is not ready decides.
 * @example
 * const { outcome, base } = await checkPrerequisiteRuns(['a-run'], { readRun: (id) => checkedRun(records, id), branchTip });
 */
export async function checkPrerequisiteRuns(runIds: readonly string[], read: PrerequisiteReaders): Promise<PrerequisiteCheck> {
  let base: PrerequisiteCheck['base'] = null;
  for (const runId of runIds) {
    const checked = await read.readRun(runId);
    if (!checked.ok) return failed(runId, checked.message, checked.details);
    const { snap } = checked;
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
 * changes, so every lease of the run finds the same one, even if that branch moves later), read through the same
 * checks. Throws when there is none or the records cannot be trusted: a stacked run never falls back to the packet's
 * base and never starts from a commit a changed record names.
 */
export async function stackedBase(prerequisite: string, readRun: PrerequisiteReaders['readRun']): Promise<string> {
  const checked = await readRun(prerequisite);
  if (!checked.ok) {
    throw new BuranError({ code: 'prerequisite_failed', message: checked.message, details: { prerequisite, ...checked.details } });
  }
  const handoff = checked.snap.context.handoff;
  if (handoff === null) {
    throw new BuranError({ code: 'internal', message: `prerequisite run ${prerequisite} has no recorded handoff commit to start from`, details: { prerequisite } });
  }
  return handoff.commit;
}


/**
 * What a run's effects read of its prerequisites: the check the `prerequisites` state makes, and the commit every lease
 * starts from (the packet's base for a run without a prerequisite). Both read through the checked records.
 * @example
 * const { prerequisites, baseRef } = stackedRunReads({ store, after: packet.after ?? [], base: packet.base, branchTip });
 */
export function stackedRunReads(o: { store: EngineStore & { runDir(runId: string): string }; after: readonly string[]; base: string; branchTip: ReadBranchTip }) {
  const records = createRunRecords({ store: o.store, sealedFiles: (id) => readSealedFiles(o.store.runDir(id)) });
  const readRun = (id: string) => checkedRun(records, id);
  const prerequisite = o.after[0];
  return {
    prerequisites: () => checkPrerequisiteRuns(o.after, { readRun, branchTip: o.branchTip }),
    baseRef: (): Promise<string> => (prerequisite === undefined ? Promise.resolve(o.base) : stackedBase(prerequisite, readRun)),
  };
}
