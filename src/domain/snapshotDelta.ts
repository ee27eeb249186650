// `snapshot.jsonl`: the run's state as changed since `snapshot.json` (the
// base), one line per flush. A line holds only what changed: the root's own
// fields (small: state value, status, history), the context keys whose value
// changed (large per-task maps as entry changes), and the children whose
// persisted state changed or that are gone. The state after a line is the base
// with every line up to it applied, in order. Lines are chained: each names
// the digest of the one before it (the first: of the base's snapshot), so a
// removed, changed or reordered line is seen; the last line a reader uses is
// sealed by its event (src/engine/seal.ts). See docs/durability.md.
import * as z from 'zod';
import { sha256 } from './hash.js';

export const SNAPSHOT_DELTA_SCHEMA_ID = 'buran.snapshot-delta/v1';

/** A changed per-task map of the context: entries set (whole) and entries removed. */
export const EntryChangesSchema = z.strictObject({
  set: z.record(z.string(), z.unknown()),
  unset: z.array(z.string()),
});
export type EntryChanges = z.output<typeof EntryChangesSchema>;

export const SnapshotDeltaSchema = z.strictObject({
  schema: z.literal(SNAPSHOT_DELTA_SCHEMA_ID),
  runId: z.string().min(1),
  /** The last event this state includes. */
  seq: z.number().int().min(1),
  /** Digest of the line before it, or of the base document's snapshot for the first line after a base. */
  prev: z.string().min(1),
  /** The persisted root without `context` and `children` (replaced whole). */
  root: z.record(z.string(), z.unknown()),
  /** Context keys replaced whole. */
  context: z.record(z.string(), z.unknown()),
  /** Context keys (objects keyed by task) changed entry by entry. */
  entries: z.record(z.string(), EntryChangesSchema),
  /** Children whose persisted form changed (or that are new), replaced whole. */
  children: z.record(z.string(), z.unknown()),
  /** Children no longer there. */
  gone: z.array(z.string()),
});
export type SnapshotDelta = z.output<typeof SnapshotDeltaSchema>;

/** The digest a line, a base snapshot or a seal names: sha256 of the value as JSON.stringify writes it (the store's own form). */
export function stateDigest(value: unknown): string {
  return sha256(JSON.stringify(value ?? null));
}

/** A line's JSON text and its digest (what the store writes and the seal names). */
export function lineText(line: SnapshotDelta): { readonly text: string; readonly digest: string } {
  const text = JSON.stringify(line);
  return { text, digest: sha256(text) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What composing found wrong with the chain of lines (the caller reports it as changed records). */
export interface DeltaChainBreak {
  readonly line: number;
  /** `base`: the first line was not written on this base (the base or that line changed); `lines`: a later line. */
  readonly at: 'base' | 'lines';
  readonly reason: string;
}

export interface ComposedState {
  /** The persisted root snapshot after the last line used. */
  readonly snapshot: Record<string, unknown>;
  /** The seq of that state (the base's when no line is used). */
  readonly seq: number;
  /** The digest its seal names: of the last line used, or of the base's snapshot. */
  readonly digest: string;
  /** Lines used (those after the base's seq), and their JSON size. */
  readonly applied: number;
  readonly lineBytes: number;
  readonly chainBreak: DeltaChainBreak | null;
}

/**
 * Apply the lines after the base, in order. Lines at or before the base's seq
 * are left over from before the base was written (it includes them) and are
 * skipped. Pure; copies the maps it changes once, then changes the copies.
 */
export function composeState(base: { readonly seq: number; readonly snapshot: Record<string, unknown> }, lines: readonly SnapshotDelta[], baseDigest: string): ComposedState {
  const baseContext = isRecord(base.snapshot['context']) ? base.snapshot['context'] : {};
  const baseChildren = isRecord(base.snapshot['children']) ? base.snapshot['children'] : {};
  let root: Record<string, unknown> = base.snapshot;
  const context: Record<string, unknown> = { ...baseContext };
  const children: Record<string, unknown> = { ...baseChildren };
  const copied = new Set<string>();
  let seq = base.seq;
  let digest = baseDigest;
  let applied = 0;
  let lineBytes = 0;
  let chainBreak: DeltaChainBreak | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as SnapshotDelta;
    if (line.seq <= base.seq) continue;
    if (chainBreak === null && line.prev !== digest) {
      chainBreak =
        applied === 0
          ? { line: i + 1, at: 'base', reason: `differs from the state line ${i + 1} of the state log was written on (its prev digest)` }
          : { line: i + 1, at: 'lines', reason: `line ${i + 1} does not follow the line before it (its prev digest differs): a line was changed, removed or inserted` };
    }
    if (chainBreak === null && line.seq <= seq) chainBreak = { line: i + 1, at: 'lines', reason: `line ${i + 1} has seq ${line.seq}, not after ${seq}` };
    const { text, digest: lineDigest } = lineText(line);
    lineBytes += text.length + 1;
    root = line.root;
    Object.assign(context, line.context);
    for (const key of Object.keys(line.context)) copied.delete(key);
    for (const [key, changes] of Object.entries(line.entries)) {
      if (Array.isArray(context[key])) {
        // A list written by index (the run's per-task lists): its length never changes.
        if (!copied.has(key)) {
          context[key] = (context[key] as unknown[]).slice();
          copied.add(key);
        }
        const list = context[key] as unknown[];
        for (const [index, value] of Object.entries(changes.set)) {
          const at = Number(index);
          if (Number.isInteger(at) && at >= 0 && at < list.length && String(at) === index) list[at] = value;
          else chainBreak ??= { line: i + 1, at: 'lines', reason: `line ${i + 1} sets entry ${JSON.stringify(index.slice(0, 20))} of ${key}, which is not a position of that list` };
        }
        continue;
      }
      if (!copied.has(key) || !isRecord(context[key])) {
        context[key] = { ...(isRecord(context[key]) ? context[key] : {}) };
        copied.add(key);
      }
      const map = context[key] as Record<string, unknown>;
      Object.assign(map, changes.set);
      for (const k of changes.unset) delete map[k];
    }
    Object.assign(children, line.children);
    for (const id of line.gone) delete children[id];
    seq = line.seq;
    digest = lineDigest;
    applied += 1;
  }
  if (applied === 0) return { snapshot: base.snapshot, seq, digest, applied, lineBytes, chainBreak };
  return { snapshot: { ...root, context, children }, seq, digest, applied, lineBytes, chainBreak };
}
