// The run store port, owned by the core. Two implementations with identical
// semantics: `createFileStore` (on disk, durable) and `createMemoryStore` (the
// in-memory twin for engine tests). Documents are opaque JSON here; the engine
// validates them against its schemas.

/**
 * What the index says of a run's state, derived from its stored snapshot by
 * the driver that wrote it (`runIndexFields` in src/engine/runIndex.ts). The
 * run folder is the truth: an entry may lag it (see docs/durability.md).
 */
export interface RunIndexFields {
  /** `created` until the first snapshot is indexed, then a run status (queued, running, blocked, ...). */
  readonly status: string;
  /** Dotted chart stage; null when not derived yet (a new run, or an index written before stages were kept). */
  readonly stage: string | null;
  /** The run's integration epoch; null when not derived yet. */
  readonly epoch: number | null;
  /** The blocker code when status is `blocked`, else null. */
  readonly blockerCode: string | null;
  /** The sandbox kind recorded in the run's sandbox.json (bwrap, none, unavailable); null when none is recorded. */
  readonly sandbox: string | null;
  /** When these fields were last written (ISO-8601). */
  readonly updatedAt: string;
}

/** One line of the registry index (`.buran/runs.json`). Times are ISO-8601. */
export interface RunIndexEntry extends RunIndexFields {
  readonly runId: string;
  readonly packetId: string;
  readonly createdAt: string;
}

/** Time source of the store, milliseconds since the epoch (same shape as the engine's Clock). */
export interface StoreClock {
  now(): number;
}

/** Index fields for a new run; packetId defaults to `record.packetId` when it is a string, status to `created`. */
export interface NewRunIndex {
  readonly packetId?: string;
  readonly status?: string;
}

/** A final events line that a crash cut short, and where its bytes went. */
export interface TornTail {
  /** 1-based line number of the torn line. */
  readonly line: number;
  /** Bytes that were cut off the log. */
  readonly bytes: number;
  /** `no_newline`: the last line has no trailing newline; `unparsable`: it is not a JSON object. */
  readonly reason: 'no_newline' | 'unparsable';
  /** Where the torn bytes were moved (`events.jsonl.torn-<ms>`); null when the read was told not to repair. */
  readonly movedTo: string | null;
}

export interface ReadEventsOptions {
  /** Only events with `seq >= fromSeq` (default 1). */
  readonly fromSeq?: number;
  /**
   * Move a torn final line aside (default true). Only the run lock holder
   * should repair; observers (status, report) pass false.
   */
  readonly repair?: boolean;
}

export interface EventsRead {
  readonly events: unknown[];
  /** seq of the last good event (0 for an empty log), whatever `fromSeq` was. */
  readonly lastSeq: number;
  /** Non-null when a torn final line was found: record it (event type `torn_log`). */
  readonly torn: TornTail | null;
}

/**
 * Where runs are kept. Every method validates the run id first (slug
 * `^[a-z0-9][a-z0-9-]{0,63}$`, else BuranError `invalid_input`); an unknown
 * run is `not_found`; a file that should be there and is missing, empty or
 * not JSON is `store_corrupt` - never a default value.
 *
 * Events are objects whose `seq` is 1, 2, 3, ... with no gaps across the
 * whole log; appendEvents rejects a batch that does not continue it.
 */
export interface RunStore {
  /** Create the run folder with its record and an empty log; `invalid_input` if the run exists. */
  createRun(runId: string, record: unknown, index?: NewRunIndex): Promise<void>;
  /** The registry index, oldest first. */
  listRuns(): Promise<RunIndexEntry[]>;
  /** Replace the index entry of an existing run (status changes). */
  updateIndex(entry: RunIndexEntry): Promise<void>;
  /** Replace the derived fields of an existing run's index entry (its id, packet and creation time stay). */
  indexRun(runId: string, fields: RunIndexFields): Promise<void>;
  /** The run record; `store_corrupt` if missing or unreadable. */
  readRecord(runId: string): Promise<unknown>;
  /** Atomic, durable replace of the run record. */
  writeRecord(runId: string, record: unknown): Promise<void>;
  /** The snapshot document; null only if none was ever written (a lost snapshot is `store_corrupt`). */
  readSnapshot(runId: string): Promise<unknown>;
  /** Atomic, durable replace of the snapshot document. */
  writeSnapshot(runId: string, snapshot: unknown): Promise<void>;
  /**
   * The state lines written on top of the snapshot document whose seq is
   * `base` (`snapshot.<base>.jsonl`), in order; [] when there are none. A torn
   * final line (a crash mid-append) is left out.
   */
  readStateLines(runId: string, base: number): Promise<unknown[]>;
  /** Append one state line on top of the snapshot document whose seq is `base`; durable when it resolves. */
  appendStateLine(runId: string, base: number, line: unknown): Promise<void>;
  /** Append events (seq must continue the log); durable when it resolves. */
  appendEvents(runId: string, events: readonly unknown[]): Promise<void>;
  /** Events with `seq >= fromSeq`, in order; a torn final line is moved aside (see readEventLog for the report). */
  readEvents(runId: string, fromSeq?: number): Promise<unknown[]>;
  /** Events plus the torn-tail report. */
  readEventLog(runId: string, options?: ReadEventsOptions): Promise<EventsRead>;
  /** Store content once, addressed by its hash; returns `sha256:<hex>`. Idempotent. */
  putArtifact(runId: string, content: string | Uint8Array): Promise<string>;
  /** The content stored under `sha256:<hex>`; `not_found` if absent, `store_corrupt` if it no longer matches its hash. */
  getArtifact(runId: string, hash: string): Promise<Uint8Array>;
  /** Absolute folder of the run, for attempt files (`<runDir>/attempts/`) and the run lock. */
  runDir(runId: string): string;
}
