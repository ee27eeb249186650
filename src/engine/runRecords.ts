// Reading a run's stored records for the engine: the stored state (the
// snapshot document validated and migrated, its state lines applied), the event log (validated, with its lines as
// stored), and the checks the engine makes on them before trusting them: the
// seal (a record changed outside buran) and the handoff branch (moved since).
import type { Blocker } from '../domain/blockers.js';
import { makeBlocker } from '../domain/blockers.js';
import { BuranError, isBuranError } from '../domain/errors.js';
import { EventRecordSchema, type EventRecord } from '../domain/events.js';
import { PacketSchema, type Packet } from '../domain/packet.js';
import type { RunRecord } from '../domain/runRecord.js';
import { type ReadBranchTip, handoffMoved } from './handoffCheck.js';
import type { RunSnapshot } from './runView.js';
import { statusOf } from './runStatus.js';
import { RUN_RECORD_NAME, type SealBreak, artifactFile, checkSeal, digestOf, namedArtifacts } from './seal.js';
import type { EngineStore } from './storePort.js';
import { type StoredDoc, loadStoredState } from './storedState.js';

export function storeCorrupt(runId: string, what: string, reason: string): BuranError {
  return new BuranError({ code: 'store_corrupt', message: `run ${runId}: ${what} ${reason}`, details: { runId, what, reason } });
}

/** The evidence_tampered blocker naming the record changed outside buran. */
export const tamperedBlocker = (runId: string, file: string, reason: string): Blocker =>
  makeBlocker('evidence_tampered', runId, `run ${runId}: ${file} ${reason}; the run's records were changed outside buran and are not trusted`, { file, reason });

/** A final events line a crash cut short, as the store reports it. */
export type TornReport = NonNullable<Awaited<ReturnType<EngineStore['readEventLog']>>['torn']>;

export interface RunLog {
  readonly events: EventRecord[];
  /** The lines as stored (what the seal's digests are over). */
  readonly raw: unknown[];
  /** The torn tail moved aside by this read (only when it repaired), else null. */
  readonly torn: TornReport | null;
}

export interface RunRecordsOptions {
  readonly store: EngineStore;
  /** The run's records besides run.json that the runner seals (name → bytes, null when absent). */
  readonly sealedFiles?: (runId: string) => Promise<Readonly<Record<string, Uint8Array | null>>>;
  readonly branchTip?: ReadBranchTip;
}

export function createRunRecords(o: RunRecordsOptions) {
  const { store } = o;

  /** The stored state: the base snapshot with its state lines applied (storedState.ts). */
  async function loadDoc(runId: string): Promise<StoredDoc> {
    const doc = await loadStoredState(store, runId);
    if (doc === null) throw storeCorrupt(runId, 'snapshot.json', 'is missing although the run exists');
    return doc;
  }

  /** The validated log; `repair` only for the lock holder (a torn tail is then moved aside and reported). */
  async function loadLog(runId: string, repair = false): Promise<RunLog> {
    const { events: raw, torn } = await store.readEventLog(runId, { repair });
    const events = raw.map((line, i) => {
      const parsed = EventRecordSchema.safeParse(line);
      if (!parsed.success) throw storeCorrupt(runId, 'events.jsonl', `line ${i + 1} is not an event record`);
      return parsed.data;
    });
    return { events, raw, torn: repair ? torn : null };
  }

  /** The snapshot and the log it must be covered by (the driver appends before it snapshots: a log behind the snapshot lost events). */
  async function load(runId: string, repair = false): Promise<{ doc: StoredDoc; log: RunLog; lastSeq: number }> {
    const doc = await loadDoc(runId);
    const log = await loadLog(runId, repair);
    const lastSeq = log.events.at(-1)?.seq ?? 0;
    if (doc.seq > lastSeq) throw storeCorrupt(runId, 'events.jsonl', `ends at seq ${lastSeq} but the snapshot includes seq ${doc.seq}`);
    return { doc, log, lastSeq };
  }

  /** The records the runner seals: run.json (as stored) and the host's own. */
  async function sealedRecords(runId: string): Promise<Record<string, unknown>> {
    return { [RUN_RECORD_NAME]: await store.readRecord(runId), ...(o.sealedFiles === undefined ? {} : await o.sealedFiles(runId)) };
  }

  /** The first artifact the sealed records name that is gone or no longer matches its content address. */
  async function artifactBreak(runId: string, record: unknown, snapshot: unknown): Promise<SealBreak | null> {
    for (const hash of namedArtifacts(record, snapshot)) {
      try {
        await store.getArtifact(runId, hash);
      } catch (error) {
        if (!isBuranError(error)) throw error;
        if (error.code === 'evidence_tampered') return { file: artifactFile(hash), reason: 'no longer matches its content address (its digest differs from the name the records give it)' };
        if (error.code === 'not_found') return { file: artifactFile(hash), reason: "is missing; the run's records name it" };
        throw error;
      }
    }
    return null;
  }

  /**
   * The evidence_tampered blocker when the log's chain or the snapshot's seal
   * does not match the stored records, or an artifact they name (packet copy,
   * gate evidence, verdict) does not match its content address.
   */
  async function tamperOf(runId: string, doc: StoredDoc, raw: readonly unknown[]): Promise<Blocker | null> {
    const files = await sealedRecords(runId);
    const { point } = doc;
    const broken =
      point.chainBreak ?? checkSeal({ snapshotSeq: doc.seq, snapshotDigest: point.digest, snapshotFile: point.file, events: raw, files }) ?? (await artifactBreak(runId, files[RUN_RECORD_NAME], doc.snapshot));
    return broken === null ? null : tamperedBlocker(runId, broken.file, broken.reason);
  }

  /** The evidence_tampered blocker when a sealed record no longer holds what a session sealed. */
  async function changedSince(runId: string, sealed: Readonly<Record<string, unknown>>): Promise<Blocker | null> {
    const now = await sealedRecords(runId);
    for (const [name, value] of Object.entries(sealed)) {
      if (value === null || value === undefined) continue;
      const current = now[name];
      if (current === null || current === undefined || digestOf(current) !== digestOf(value)) {
        return tamperedBlocker(runId, name, `${current === null || current === undefined ? 'disappeared' : 'changed'} while the run was driven`);
      }
    }
    return null;
  }

  /** For a handed-off run: the handoff_moved blocker when its branch left the recorded commit (null without a branchTip port). */
  async function movedOf(runId: string, snap: RunSnapshot): Promise<Blocker | null> {
    const handoff = snap.context.handoff;
    if (o.branchTip === undefined || handoff === null || statusOf(snap) !== 'handoff_ready') return null;
    return handoffMoved(runId, handoff, await o.branchTip(handoff.branch));
  }

  return { loadDoc, loadLog, load, sealedRecords, tamperOf, changedSince, movedOf };
}

export type RunRecords = ReturnType<typeof createRunRecords>;

/** The approved packet, from the copy stored at approval (the file may have changed since; intake checks that). */
export async function readApprovedPacket(store: Pick<EngineStore, 'getArtifact'>, record: RunRecord): Promise<Packet> {
  const bytes = await store.getArtifact(record.runId, record.approval.hash);
  const parsed = PacketSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  if (!parsed.success) {
    throw new BuranError({ code: 'store_corrupt', message: `run ${record.runId}: the approved packet copy does not parse`, details: { runId: record.runId, hash: record.approval.hash } });
  }
  return parsed.data;
}
