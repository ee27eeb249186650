import type { RunIndexEntry, RunIndexFields } from '../store/port.js';

/**
 * What the engine needs from a run store (src/store implements it on disk
 * and in memory). Documents are validated by the engine, not the store.
 */
export interface EngineStore {
  createRun(runId: string, record: unknown): Promise<void>;
  /** The run index (for the entry the driver keeps current). */
  listRuns(): Promise<RunIndexEntry[]>;
  /** Replace the derived fields of a run's index entry (runIndexFields). */
  indexRun(runId: string, fields: RunIndexFields): Promise<void>;
  readRecord(runId: string): Promise<unknown>;
  /** null only when no snapshot was ever written for this run. */
  readSnapshot(runId: string): Promise<unknown>;
  writeSnapshot(runId: string, snapshot: unknown): Promise<void>;
  /** The state lines on top of the snapshot document whose seq is `base` (src/domain/snapshotDelta.ts). */
  readStateLines(runId: string, base: number): Promise<unknown[]>;
  appendStateLine(runId: string, base: number, line: unknown): Promise<void>;
  appendEvents(runId: string, events: readonly unknown[]): Promise<void>;
  readEvents(runId: string, fromSeq?: number): Promise<unknown[]>;
  /**
   * The log with a report of a torn final line. Only the lock holder repairs
   * (moves the torn tail aside); observers read with `repair: false`.
   */
  readEventLog(runId: string, options?: { readonly repair?: boolean }): Promise<{ events: unknown[]; torn: { line: number; bytes: number; reason: string; movedTo: string | null } | null }>;
  putArtifact(runId: string, content: string | Uint8Array): Promise<string>;
  /** The artifact's bytes, re-hashed: `evidence_tampered` when they no longer match the hash, `not_found` when absent. */
  getArtifact(runId: string, hash: string): Promise<Uint8Array>;
}
