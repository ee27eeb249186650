// The write side of a session: each flush appends the events recorded since
// the last one (chained by digest) and then writes the state that includes
// exactly them (sealed in the batch's last event) — in that order, and only
// while this driver still holds the run lock. The state is written as a state
// line holding what changed (StateTracker), so a flush costs the same at 10
// tasks and at 10,000; once the lines outgrow the base snapshot, a flush
// writes a whole snapshot instead (a new base). See docs/durability.md.
import type { AnyActorRef } from 'xstate';
import { BuranError } from '../domain/errors.js';
import type { EventRecord } from '../domain/events.js';
import { SNAPSHOT_SCHEMA_ID, SNAPSHOT_VERSION, type SnapshotDoc } from '../domain/snapshotDoc.js';
import { sha256 } from '../domain/hash.js';
import { lineText } from '../domain/snapshotDelta.js';
import type { Clock } from './clock.js';
import type { HeldLock } from './locks.js';
import type { Recorder } from './recorder.js';
import { runIndexFields, sameIndexFields } from './runIndex.js';
import type { RunIndexFields } from '../store/port.js';
import { chainRecords, sealOf } from './seal.js';
import type { EngineStore } from './storePort.js';
import { type ResumePoint, readBase } from './storedState.js';
import { StateTracker } from './stateTracker.js';

/** Lines are written on top of a base until they hold more than the base (or this much, for small runs); then a whole snapshot is written. */
const REBASE_MIN_BYTES = 256 * 1024;

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
  /** The seq the restored state includes. */
  readonly snapshotSeq: number;
  /** The restored state (its persisted form) and where it stands. */
  readonly restored: Record<string, unknown>;
  readonly point: ResumePoint;
  readonly onEvent?: (event: EventRecord) => void;
  /** The sandbox kind recorded for the run (indexed with its state). */
  readonly sandbox: string | null;
  /** The run's index entry as this session found it (null: none). */
  readonly indexed: RunIndexFields | null;
  /** Lines stay on a base until they outgrow it or this many bytes (REBASE_MIN_BYTES). */
  readonly rebaseMinBytes?: number;
}

export class Persister {
  /** Events appended by this session, in order. */
  readonly written: EventRecord[] = [];
  private head: string;
  private snapshotSeq: number;
  private loggedSeq: number;
  private indexed: RunIndexFields | null;
  private readonly tracker: StateTracker;
  /** The base the lines go on top of, the digest the next line names as `prev`, and the sizes that decide a new base. */
  private base: number;
  private baseDigest: string;
  /** The next state is written as a whole snapshot (a new base) whatever the sizes. */
  private wholeNext = false;
  private stateHead: string;
  private baseBytes: number;
  private lineBytes: number;

  constructor(private readonly o: PersisterOptions) {
    this.indexed = o.indexed;
    this.head = o.head;
    this.snapshotSeq = o.snapshotSeq;
    this.loggedSeq = o.recorder.lastSeq;
    this.tracker = new StateTracker(o.restored);
    this.base = o.point.base;
    this.baseDigest = o.point.baseDigest;
    // A base of an older version is read migrated: the first state written is a whole one at this version.
    this.wholeNext = o.point.migrated;
    this.stateHead = o.point.digest;
    this.baseBytes = o.point.baseBytes;
    this.lineBytes = o.point.lineBytes;
  }

  /** An actor's snapshot changed (xstate inspection): its part of the state is written at the next flush. */
  touch(ref: unknown, root: AnyActorRef | null): void {
    this.tracker.touch(ref, root);
  }

  /**
   * Whether the base snapshot in the store is still the one the lines of this
   * session go on top of. A driver never reads it back while it drives, so one
   * changed by someone else (a worker with the store in reach) is found here, at
   * the session's end, and not at every flush.
   */
  async baseIntact(): Promise<boolean> {
    try {
      const stored = await readBase(this.o.store, this.o.runId);
      return stored !== null && stored.doc.seq === this.base && stored.digest === this.baseDigest;
    } catch {
      return false;
    }
  }

  /** The next flush writes a whole snapshot from the live state (a new base), whatever the sizes. */
  rewriteBase(): void {
    this.wholeNext = true;
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
    // While logged transitions are still being re-taken, the state restored from stays the resume point.
    const due = !recorder.replaying && this.snapshotSeq < recorder.lastSeq;
    if (due && records.length === 0 && this.loggedSeq === recorder.lastSeq) {
      // A state after re-taken events (logged by an earlier driver) is sealed by a note of its own.
      recorder.add({ runId, type: 'sealed', from: null, to: null, data: {} });
      records = recorder.drain(this.o.clock.now());
    }
    const state = due ? this.take(actor, recorder.lastSeq) : null;
    let committed = false;
    try {
      if (records.length > 0) {
        const last = records.length - 1;
        if (state !== null) records[last] = { ...(records[last] as EventRecord), seal: sealOf(state.digest, this.o.sealFiles) };
        const nextHead = chainRecords(records, this.head);
        await store.appendEvents(runId, records);
        this.head = nextHead;
        this.loggedSeq = recorder.lastSeq;
      }
      // After a failed append (loggedSeq behind) no state may claim the events that did not reach the log.
      if (state !== null && this.loggedSeq === recorder.lastSeq) {
        await state.write();
        state.commit();
        committed = true;
        this.snapshotSeq = state.seq;
        await this.index(state);
      }
    } finally {
      if (state !== null && !committed) state.abort();
    }
    this.written.push(...records);
    for (const r of records) this.o.onEvent?.(r);
  }

  /** The state to write after this flush's events: a state line, or a whole snapshot once the lines outgrow the base. */
  private take(actor: AnyActorRef, seq: number): PendingState {
    const { store, runId } = this.o;
    if (this.wholeNext || this.lineBytes > Math.max(this.baseBytes, this.o.rebaseMinBytes ?? REBASE_MIN_BYTES)) {
      const snapshot = actor.getPersistedSnapshot() as Record<string, unknown>;
      const all = this.tracker.takeAll(actor);
      const doc: SnapshotDoc = { schema: SNAPSHOT_SCHEMA_ID, version: SNAPSHOT_VERSION, runId, seq, snapshot };
      const text = JSON.stringify(snapshot);
      const digest = sha256(text);
      return {
        seq,
        digest,
        snapshot,
        write: () => store.writeSnapshot(runId, doc),
        commit: () => {
          all.commit();
          this.base = seq;
          this.baseDigest = digest;
          this.wholeNext = false;
          this.stateHead = digest;
          this.baseBytes = text.length;
          this.lineBytes = 0;
        },
        abort: () => all.abort(),
      };
    }
    const taken = this.tracker.take(actor, runId, seq, this.stateHead);
    const { text, digest } = lineText(taken.line);
    const base = this.base;
    // What the index derives (state value, status, context) is read from the live snapshot, not the line.
    const snapshot = actor.getSnapshot() as { value: unknown; status: unknown; context: unknown };
    return {
      seq,
      digest,
      snapshot: { value: snapshot.value, status: snapshot.status, context: snapshot.context },
      write: () => store.appendStateLine(runId, base, taken.line),
      commit: () => {
        taken.commit();
        this.stateHead = digest;
        this.lineBytes += text.length + 1;
      },
      abort: () => taken.abort(),
    };
  }
}

/** A state taken from the actor, written after the events it includes. */
interface PendingState {
  readonly seq: number;
  /** What the seal names. */
  readonly digest: string;
  /** What the index entry is derived from. */
  readonly snapshot: Record<string, unknown>;
  write(): Promise<void>;
  commit(): void;
  abort(): void;
}
