// What `buran doctor` proves about one run folder, read-only and with the
// same checks every reader makes (runRecords: snapshot and log, the log's
// order and chain, the seal, the artifacts the records name), plus what only
// the doctor reads: every stored artifact against its content address, and
// the folder's record and snapshot being there at all.
import type { RunIndexFields } from '../store/port.js';
import { runIndexFields } from './runIndex.js';
import { readSandboxRecord } from './sandboxChoice.js';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isBuranError } from '../domain/errors.js';
import { RunRecordSchema } from '../domain/runRecord.js';
import type { FileStore } from '../store/fileStore.js';
import { pathExists } from '../store/jsonDocument.js';
import { runLockHolder } from '../store/runLock.js';
import type { RunRecords } from './runRecords.js';
import { stageOf, statusOf, type RunStatus } from './runStatus.js';
import { restoredView } from './runView.js';
import { artifactFile } from './seal.js';

/** Something that keeps a run from being proven, or worth saying about it. */
export interface DoctorFinding {
  /** The file, relative to the run folder. */
  readonly file: string;
  /** Stable: `store_corrupt` (does not parse, missing), `evidence_tampered` (changed outside buran), `torn_tail`. */
  readonly code: string;
  readonly reason: string;
}

export interface RunCheck {
  readonly runId: string;
  /** proven: every check passed; unprovable: a problem; driven: a live process holds the run lock (not checked). */
  readonly verdict: 'proven' | 'unprovable' | 'driven';
  readonly problems: readonly DoctorFinding[];
  /** Not problems: a torn final line the next driver moves aside. */
  readonly notes: readonly DoctorFinding[];
  readonly status: RunStatus | null;
  readonly stage: string | null;
  /** run.json as stored (null when it does not parse). */
  readonly record: unknown;
  /** ISO mtime of snapshot.json (the index's snapshot marker), null when absent. */
  readonly snapshotAt: string | null;
  /** The pid of the live process holding the run lock, else null. */
  readonly lockHolderPid: number | null;
  /** The run's index fields as its stored snapshot says (`runIndexFields`), null when it has no readable snapshot. */
  readonly index: RunIndexFields | null;
}

const HEX = /^[0-9a-f]{64}$/;

function findingOf(error: unknown, runDir: string, fallbackFile: string): DoctorFinding {
  if (!isBuranError(error)) throw error;
  const d = error.details;
  const file = typeof d['file'] === 'string' ? d['file'] : typeof d['what'] === 'string' ? d['what'] : typeof d['path'] === 'string' ? relative(runDir, d['path']) : fallbackFile;
  return { file, code: error.code, reason: error.message };
}

/** Every file in artifacts/ named like a content address must hash to its name (unnamed, unreferenced ones too). */
async function checkAllArtifacts(store: FileStore, runId: string): Promise<DoctorFinding[]> {
  const dir = join(store.runDir(runId), 'artifacts');
  if (!(await pathExists(dir))) return [{ file: 'artifacts', code: 'store_corrupt', reason: 'the artifacts folder is missing' }];
  const found: DoctorFinding[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!HEX.test(name)) continue; // temp files of an interrupted write
    try {
      await store.getArtifact(runId, `sha256:${name}`);
    } catch (error) {
      found.push(findingOf(error, store.runDir(runId), artifactFile(`sha256:${name}`)));
    }
  }
  return found;
}

/** Check one run folder. Never writes, never repairs. */
export async function checkRunFolder(store: FileStore, records: RunRecords, runId: string): Promise<RunCheck> {
  const dir = store.runDir(runId);
  const snapshotPath = join(dir, 'snapshot.json');
  const snapshotAt = (await pathExists(snapshotPath)) ? (await stat(snapshotPath)).mtime.toISOString() : null;
  const holder = await runLockHolder(dir).catch(() => null);
  const base = { runId, notes: [] as DoctorFinding[], lockHolderPid: holder?.pid ?? null, snapshotAt };
  if (holder !== null) return { ...base, verdict: 'driven', problems: [], status: null, stage: null, record: await store.readRecord(runId).catch(() => null), index: null };

  const problems: DoctorFinding[] = [];
  let record: unknown = null;
  try {
    const raw = await store.readRecord(runId);
    if (RunRecordSchema.safeParse(raw).success) record = raw;
    else problems.push({ file: 'run.json', code: 'store_corrupt', reason: 'does not match the run record schema' });
  } catch (error) {
    problems.push(findingOf(error, dir, 'run.json'));
  }

  let status: RunStatus | null = null;
  let stage: string | null = null;
  let index: RunIndexFields | null = null;
  if (snapshotAt === null) {
    problems.push({ file: 'snapshot.json', code: 'store_corrupt', reason: 'is missing: the run has no resume point' });
  } else {
    try {
      const { doc, log } = await records.load(runId, false);
      const torn = (await store.readEventLog(runId, { repair: false })).torn;
      if (torn !== null) base.notes.push({ file: 'events.jsonl', code: 'torn_tail', reason: `line ${torn.line} was cut short by a crash (${torn.bytes} bytes, ${torn.reason}); the next driver moves it aside` });
      const tampered = await records.tamperOf(runId, doc, log.raw);
      if (tampered !== null) {
        const { file, reason } = tampered.details;
        problems.push({ file: typeof file === 'string' ? file : 'events.jsonl', code: tampered.code, reason: typeof reason === 'string' ? reason : tampered.message });
      }
      const snap = restoredView(doc.snapshot);
      status = statusOf(snap);
      stage = stageOf(snap.value);
      index = runIndexFields(doc, (await readSandboxRecord(dir))?.kind ?? null, snapshotAt);
    } catch (error) {
      problems.push(findingOf(error, dir, 'events.jsonl'));
    }
  }
  for (const found of await checkAllArtifacts(store, runId)) if (!problems.some((p) => p.file === found.file)) problems.push(found);
  return { ...base, verdict: problems.length === 0 ? 'proven' : 'unprovable', problems, status, stage, record, index };
}
