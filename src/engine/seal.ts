// The runner's records bound by digest to what the runner itself wrote, so an
// edit made outside buran (a worker running unsandboxed, a hand edit) is seen
// rather than trusted:
// - every event names the digest of the event before it (`prev`; the first
//   event names the digest of the snapshot the run was created with), so a
//   changed, removed or inserted line breaks the chain;
// - the last event of every batch that is followed by a state write carries a
//   `seal`: the digest of that state (a state line, which names the line
//   before it, or a whole snapshot document's snapshot) and of the run's other records
//   (run.json and the records a host names: sandbox.json, git-trust.json).
// Whoever can rewrite every file consistently defeats it; see docs/security.md.
// Artifacts (the packet copy, gate evidence, verdicts) are bound by their
// content address instead: the sealed records name them by hash, and a reader
// re-hashes every one it names (`namedArtifacts`).
import { sha256 } from '../domain/hash.js';
import { stateDigest } from '../domain/snapshotDelta.js';
import type { EventRecord, EventSeal } from '../domain/events.js';
import { EvidenceRefSchema } from '../domain/gates.js';

/** The record every run has (the packet and its approval). */
export const RUN_RECORD_NAME = 'run.json';

/** Digest of a stored value: file bytes as they are, JSON values as JSON.stringify writes them (the store's own form). */
export function digestOf(value: unknown): string {
  return value instanceof Uint8Array ? sha256(value) : stateDigest(value);
}

/** What a seal found wrong: the file to look at and why. */
export interface SealBreak {
  readonly file: string;
  readonly reason: string;
}

/** Give each record its `prev` digest (in order, starting after `lastDigest`); returns the digest of the last one. */
export function chainRecords(records: EventRecord[], lastDigest: string): string {
  let prev = lastDigest;
  for (let i = 0; i < records.length; i++) {
    const record = { ...(records[i] as EventRecord), prev };
    records[i] = record;
    prev = digestOf(record);
  }
  return prev;
}

/** The seal of a state (named by its digest: of a state line, or of a whole snapshot) and of the run's records as they stand. */
export function sealOf(stateDigest: string, files: Readonly<Record<string, unknown>>): EventSeal {
  const digests: Record<string, string> = {};
  for (const [name, value] of Object.entries(files)) if (value !== null && value !== undefined) digests[name] = digestOf(value);
  return { snapshot: stateDigest, files: digests };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Check the log's chain and the seal of the resume point's event against the
 * stored files. `events` are the raw lines (as parsed from disk); a log with
 * no `prev` anywhere was written before runs were sealed and is not checked.
 * `snapshotDigest` is the resume point's digest (of its state line, or of the
 * whole snapshot when it is snapshot.json), `snapshotFile` the file holding it.
 * `files` holds the current content of every sealed record (null: missing).
 */
export function checkSeal(o: {
  readonly snapshotSeq: number;
  readonly snapshotDigest: string;
  readonly snapshotFile?: string;
  readonly events: readonly unknown[];
  readonly files: Readonly<Record<string, unknown>>;
}): SealBreak | null {
  const { events } = o;
  const stateFile = o.snapshotFile ?? 'snapshot.json';
  if (!events.some((e) => isObject(e) && 'prev' in e)) return null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const prev = isObject(event) ? event['prev'] : undefined;
    if (i === 0) {
      // The first event names the snapshot the run was created with; that snapshot is only still there while seq is 0.
      if (typeof prev !== 'string') return { file: 'events.jsonl', reason: 'line 1 has no prev digest although the log is chained' };
      if (o.snapshotSeq === 0 && prev !== o.snapshotDigest) return { file: stateFile, reason: 'differs from the snapshot the run was created with (digest named by event 1)' };
      continue;
    }
    if (prev !== digestOf(events[i - 1])) return { file: 'events.jsonl', reason: `line ${i + 1} does not follow line ${i} (its prev digest differs): a line was changed, removed or inserted` };
  }
  if (o.snapshotSeq === 0) return null;
  const sealed = events.find((e) => isObject(e) && e['seq'] === o.snapshotSeq);
  const seal = isObject(sealed) && isObject(sealed['seal']) ? (sealed['seal'] as Partial<EventSeal>) : null;
  if (seal === null || !isObject(seal.files)) return { file: stateFile, reason: `its seq ${o.snapshotSeq} names an event with no seal` };
  if (seal.snapshot !== o.snapshotDigest) return { file: stateFile, reason: `differs from the state sealed in event ${o.snapshotSeq}` };
  for (const [name, digest] of Object.entries(seal.files)) {
    const current = o.files[name];
    if (current === undefined) continue; // a record this reader does not know (a host's own): not checked here
    if (current === null) return { file: name, reason: `is missing; event ${o.snapshotSeq} sealed it` };
    if (digestOf(current) !== digest) return { file: name, reason: `differs from the version sealed in event ${o.snapshotSeq}` };
  }
  for (const [name, current] of Object.entries(o.files)) {
    if (current !== null && current !== undefined && seal.files[name] === undefined) return { file: name, reason: `is not sealed in event ${o.snapshotSeq} (it appeared after the runner last wrote)` };
  }
  return null;
}

/** The digest the next event must name as `prev`: of the last event, or of the creation snapshot when the log is empty. */
export function chainHead(events: readonly unknown[], snapshot: unknown): string {
  const last = events.at(-1);
  return last === undefined ? digestOf(snapshot) : digestOf(last);
}

const ARTIFACT_HASH = /^sha256:[0-9a-f]{64}$/;

/**
 * The artifacts a run's sealed records name, sorted: the approved packet copy
 * (run.json's approval hash) and every evidence reference in the snapshot
 * (verification records and output tails, review verdicts, reports). Pure.
 */
export function namedArtifacts(record: unknown, snapshot: unknown): string[] {
  const found = new Set<string>();
  const approval = isObject(record) && isObject(record['approval']) ? record['approval']['hash'] : undefined;
  if (typeof approval === 'string' && ARTIFACT_HASH.test(approval)) found.add(approval);
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (isObject(value)) {
      // Only an object with a string `hash` can be a reference: the schema is asked of those alone (a failed parse costs far more than the look).
      const ref = typeof value['hash'] === 'string' ? EvidenceRefSchema.safeParse(value) : null;
      if (ref?.success === true) found.add(ref.data.hash);
      else for (const item of Object.values(value)) walk(item);
    }
  };
  walk(snapshot);
  return [...found].sort();
}

/** Where an artifact lives, relative to the run folder (what a blocker names). */
export const artifactFile = (hash: string): string => `artifacts/${hash.slice('sha256:'.length)}`;
