// `buran doctor`: check every run folder of a store, and the index, without
// trusting the index; say what finished runs left behind (worktrees, branches,
// scope locks, run locks, processes). `fixDoctor` rebuilds the index from the
// runs it proved and moves the runs it could not prove to
// `.buran/quarantine/<runId>/` with a `reason.json`. Nothing is deleted: a
// replaced index is kept beside it, a quarantined run keeps every file.
import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { isBuranError } from '../domain/errors.js';
import { isRunId } from '../domain/runId.js';
import { fsyncDir, writeFileDurable } from '../platform/durableWrite.js';
import { processesWithEnv } from '../platform/process.js';
import { type FileStore, createFileStore } from '../store/fileStore.js';
import { pathExists, serializeJson } from '../store/jsonDocument.js';
import { writeRebuiltIndex } from '../store/rebuildIndex.js';
import { REGISTRY_FILE, Registry } from '../store/registry.js';
import { runLockHolder } from '../store/runLock.js';
import type { Workspace } from '../workspace/port.js';
import type { ScopeLocks } from '../workspace/scopeLocks.js';
import { type RunCheck, checkRunFolder } from './doctorRun.js';
import { planPrune } from './prune.js';
import { createRunRecords } from './runRecords.js';
import { readSealedFiles } from './sealedFiles.js';
import { runIsFinished } from './staleScopes.js';
import { readStoredSnapshot } from './storedState.js';

export const QUARANTINE_DIR = 'quarantine';
export const QUARANTINE_REASON_SCHEMA_ID = 'buran.quarantine/v1';

export interface IndexState {
  /** ok: readable; missing / corrupt: `store_corrupt` on read (details in `reason`). */
  readonly state: 'ok' | 'missing' | 'corrupt';
  readonly reason: string | null;
  /** Runs with a folder the index does not list. */
  readonly unlisted: readonly string[];
  /** Entries naming a run with no folder. */
  readonly stale: readonly string[];
}

export interface Leftover {
  readonly runId: string;
  readonly stage: string;
  readonly worktrees: readonly string[];
  readonly branches: readonly string[];
  readonly keptHandoff: string | null;
  readonly scopeLock: readonly string[] | null;
  /** The run's lock file is still there (its holder is gone: a driver that died). */
  readonly lockFile: boolean;
  /** Live processes tagged with the run's id (null: this system's process table cannot say). */
  readonly processes: readonly number[] | null;
}

export interface DoctorReport {
  readonly storeDir: string;
  readonly index: IndexState;
  readonly runs: readonly RunCheck[];
  /** Entries of runs/ that are not run folders (temp folders of an interrupted creation, other names): left alone. */
  readonly ignored: readonly string[];
  readonly leftovers: readonly Leftover[];
  /** Whether `--fix` has something to do: the index is lost, broken or out of step, or a run cannot be proven. */
  readonly needsFix: boolean;
}

export interface DoctorSources {
  readonly storeDir: string;
  readonly root: string;
  readonly workspace: Pick<Workspace, 'runLeftovers'>;
  readonly scopes: Pick<ScopeLocks, 'listScopeLocks'>;
}

/** The store read as it is (never initialised, so a lost index stays lost until fixed). */
function storeAsIs(root: string, storeDir: string): FileStore {
  return createFileStore({ root, dir: storeDir, asIs: true });
}

async function indexState(storeDir: string, folders: readonly string[]): Promise<IndexState> {
  // No index and no runs/ folder: no store yet (the next command creates it), nothing to rebuild.
  if (!(await pathExists(join(storeDir, 'runs'))) && !(await pathExists(join(storeDir, REGISTRY_FILE)))) return { state: 'ok', reason: null, unlisted: [], stale: [] };
  try {
    const doc = await new Registry(storeDir, Date.now).read();
    const listed = Object.keys(doc.runs);
    return { state: 'ok', reason: null, unlisted: folders.filter((id) => !listed.includes(id)), stale: listed.filter((id) => !folders.includes(id)).sort() };
  } catch (error) {
    if (!isBuranError(error) || error.code !== 'store_corrupt') throw error;
    return { state: error.details['reason'] === 'missing' ? 'missing' : 'corrupt', reason: error.message, unlisted: [...folders], stale: [] };
  }
}

/** Check the whole store; changes nothing. */
export async function diagnose(src: DoctorSources): Promise<DoctorReport> {
  const store = storeAsIs(src.root, src.storeDir);
  const runsDir = join(src.storeDir, 'runs');
  const names = (await pathExists(runsDir)) ? (await readdir(runsDir)).sort() : [];
  const folders = names.filter((n) => isRunId(n));
  const records = createRunRecords({ store, sealedFiles: (runId) => readSealedFiles(store.runDir(runId)) });
  const runs: RunCheck[] = [];
  for (const runId of folders) runs.push(await checkRunFolder(store, records, runId));
  const index = await indexState(src.storeDir, folders);
  const leftovers = await leftoversOf(src, store, runs.filter((r) => r.verdict === 'proven'));
  const needsFix = index.state !== 'ok' || index.unlisted.length > 0 || index.stale.length > 0 || runs.some((r) => r.verdict === 'unprovable');
  return { storeDir: src.storeDir, index, runs, ignored: names.filter((n) => !isRunId(n)), leftovers, needsFix };
}

/** What finished runs left behind, from the facts prune and scope recovery already use. */
async function leftoversOf(src: DoctorSources, store: FileStore, proven: readonly RunCheck[]): Promise<Leftover[]> {
  const stages = new Map(proven.map((r) => [r.runId, r.stage ?? '']));
  // Worktrees and branches only: fetched attempt refs hold no process or lock, and are prune's to list.
  const workspace = { runLeftovers: (id: string) => src.workspace.runLeftovers(id), fetchedAttemptRefs: () => Promise.resolve([]) };
  const { plans } = await planPrune({ runs: proven, stageOf: (id) => Promise.resolve(stages.get(id) ?? ''), driven: () => Promise.resolve(false), queuedAttempts: () => [], workspace }, false);
  const scopes = await src.scopes.listScopeLocks();
  const out: Leftover[] = [];
  for (const run of proven) {
    if (!(await runIsFinished((id) => readStoredSnapshot(store, id), run.runId))) continue;
    const plan = plans.find((p) => p.runId === run.runId);
    const scope = scopes.find((s) => s.runId === run.runId);
    const lockFile = await pathExists(join(store.runDir(run.runId), 'lock'));
    const processes = processesWithEnv([`BURAN_RUN_ID=${run.runId}`]);
    if (plan === undefined && scope === undefined && !lockFile && (processes === null || processes.length === 0)) continue;
    out.push({
      runId: run.runId,
      stage: run.stage ?? '',
      worktrees: plan?.worktrees ?? [],
      branches: plan?.branches ?? [],
      keptHandoff: plan?.keptHandoff ?? null,
      scopeLock: scope === undefined ? null : scope.scope,
      lockFile,
      processes,
    });
  }
  return out;
}

export interface DoctorFix {
  readonly quarantined: readonly { readonly runId: string; readonly to: string }[];
  /** The index as it was, moved aside (null when there was none, or the index was not rewritten). */
  readonly indexMovedTo: string | null;
  readonly indexRebuilt: boolean;
  /** Runs found unprovable but driven by a live process by the time of the fix: left in place. */
  readonly leftInPlace: readonly string[];
}

/** Quarantine what `report` could not prove, then rebuild the index from what stays. Nothing is deleted. */
export async function fixDoctor(src: DoctorSources, report: DoctorReport, now: () => number = Date.now): Promise<DoctorFix> {
  const store = storeAsIs(src.root, src.storeDir);
  const quarantined: { runId: string; to: string }[] = [];
  const leftInPlace: string[] = [];
  for (const run of report.runs.filter((r) => r.verdict === 'unprovable')) {
    const from = store.runDir(run.runId);
    if ((await runLockHolder(from).catch(() => null)) !== null) {
      leftInPlace.push(run.runId);
      continue;
    }
    quarantined.push({ runId: run.runId, to: await quarantine(src.storeDir, run, now) });
  }
  if (!report.needsFix) return { quarantined, indexMovedTo: null, indexRebuilt: false, leftInPlace };
  const gone = new Set(quarantined.map((q) => q.runId));
  const kept = report.runs.filter((r) => !gone.has(r.runId));
  const indexMovedTo = await writeRebuiltIndex(src.storeDir, kept.map((r) => ({ runId: r.runId, record: r.record, snapshotAt: r.snapshotAt, fields: r.index })), now);
  return { quarantined, indexMovedTo, indexRebuilt: true, leftInPlace };
}

/** Move the run folder to `quarantine/<runId>/` (or `<runId>-<ms>/` when taken), its reason written first. */
async function quarantine(storeDir: string, run: RunCheck, now: () => number): Promise<string> {
  const from = join(storeDir, 'runs', run.runId);
  const dir = join(storeDir, QUARANTINE_DIR);
  await mkdir(dir, { recursive: true });
  let to = join(dir, run.runId);
  if (await pathExists(to)) to = join(dir, `${run.runId}-${now()}`);
  const reason = { schema: QUARANTINE_REASON_SCHEMA_ID, runId: run.runId, at: new Date(now()).toISOString(), from: `runs/${run.runId}`, problems: run.problems };
  await writeFileDurable(join(from, 'reason.json'), serializeJson(reason, 'the quarantine reason'));
  await rename(from, to);
  await fsyncDir(join(storeDir, 'runs'));
  await fsyncDir(dir);
  return to;
}
