// The write side of a session: each flush appends the events recorded since
// the last one (chained by digest) and then writes the snapshot that includes
// exactly them (sealed in the batch's last event) — in that order, and only
// while this driver still holds the run lock. See docs/durability.md.
import type { AnyActorRef } from 'xstate';
import { BuranError } from '../domain/errors.js';
import type { EventRecord } from '../domain/events.js';
import { SNAPSHOT_SCHEMA_ID, SNAPSHOT_VERSION, type SnapshotDoc } from '../domain/snapshotDoc.js';
import type { Clock } from './clock.js';
import type { HeldLock } from './locks.js';
import type { Recorder } from './recorder.js';
import { runIndexFields, sameIndexFields } from './runIndex.js';
import type { RunIndexFields } from '../store/port.js';
import { chainRecords, sealOf } from './seal.js';
import type { EngineStore } from './storePort.js';

export interface PersisterOptions {
  readonly store: EngineStore;
  readonly runId: string;
  readonly recorder: Recorder;
  readonly lock: HeldLock;
  readonly clock: Clock;
  /** The run's records as this session sealed them (run.json, …). */
  readonly sealFiles: Readonly<Record<string, unknown>>;
  /** The digest the next event names as `prev` (seal.ts chainHead). */
  readonly head: string;
  /** The seq the restored snapshot includes. */
  readonly snapshotSeq: number;
  readonly onEvent?: (event: EventRecord) => void;
  /** The sandbox kind recorded for the run (indexed with its state). */
  readonly sandbox: string | null;
  /** The run's index entry as this session found it (null: none). */
  readonly indexed: RunIndexFields | null;
}

export class Persister {
  /** Events appended by this session, in order. */
  readonly written: EventRecord[] = [];
  private head: string;
  private snapshotSeq: number;
  private loggedSeq: number;
  private indexed: RunIndexFields | null;

  constructor(private readonly o: PersisterOptions) {
    this.indexed = o.indexed;
    this.head = o.head;
    this.snapshotSeq = o.snapshotSeq;
    this.loggedSeq = o.recorder.lastSeq;
  }

  get appended(): number {
    return this.written.length;
  }

  /** Whether the log holds events the snapshot does not include yet. */
  get behind(): boolean {
    return this.snapshotSeq < this.o.recorder.lastSeq;
  }

  /**
   * Bring the run's index entry in line with a snapshot this session wrote (or
   * restored from), after it: written only when the entry says something else,
   * so most flushes add no write. The run folder stays the truth; a crash
   * before this write leaves the entry behind until the run's next session.
   */
  async index(doc: Pick<SnapshotDoc, 'snapshot'>): Promise<void> {
    const fields = runIndexFields(doc, this.o.sandbox, new Date(this.o.clock.now()).toISOString());
    if (sameIndexFields(this.indexed, fields)) return;
    await this.o.store.indexRun(this.o.runId, fields);
    this.indexed = fields;
  }

  /**
   * Persist what the actor did since the last flush. `open()` false: the
   * session closed (the lock may be gone, a stopped actor has no children),
   * so nothing is written.
   */
  async flush(actor: AnyActorRef, open: () => boolean): Promise<void> {
    const { store, runId, recorder } = this.o;
    if (!open()) return;
    // A driver whose lock was taken over (judged dead while it was stalled) must not write another byte.
    if (!(await this.o.lock.isHeld())) {
      throw new BuranError({
        code: 'run_locked',
        message: `run ${runId}: this driver no longer holds the run lock (another process took it over); it stopped without writing`,
        details: { runId },
      });
    }
    if (!open()) return;
    let records = recorder.drain(this.o.clock.now());
    // Taken in the same tick as the drain: the state that includes exactly the events drained so far
    // (taken after the append's await it could include transitions whose events are not logged yet).
    // While logged transitions are still being re-taken, the snapshot restored from stays the resume point.
    const persisted = !recorder.replaying && this.snapshotSeq < recorder.lastSeq ? (actor.getPersistedSnapshot() as Record<string, unknown>) : null;
    if (persisted !== null && records.length === 0 && this.loggedSeq === recorder.lastSeq) {
      // A snapshot after re-taken events (logged by an earlier driver) is sealed by a note of its own.
      recorder.add({ runId, type: 'sealed', from: null, to: null, data: {} });
      records = recorder.drain(this.o.clock.now());
    }
    if (records.length > 0) {
      const last = records.length - 1;
      if (persisted !== null) records[last] = { ...(records[last] as EventRecord), seal: sealOf(persisted, this.o.sealFiles) };
      const nextHead = chainRecords(records, this.head);
      await store.appendEvents(runId, records);
      this.head = nextHead;
      this.loggedSeq = recorder.lastSeq;
    }
    // After a failed append (loggedSeq behind) no snapshot may claim the events that did not reach the log.
    if (persisted !== null && this.loggedSeq === recorder.lastSeq) {
      const next: SnapshotDoc = { schema: SNAPSHOT_SCHEMA_ID, version: SNAPSHOT_VERSION, runId, seq: recorder.lastSeq, snapshot: persisted };
      await store.writeSnapshot(runId, next);
      this.snapshotSeq = next.seq;
      await this.index(next);
    }
    this.written.push(...records);
    for (const r of records) this.o.onEvent?.(r);
  }
}
