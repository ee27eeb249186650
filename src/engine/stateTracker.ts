// What changed in the run's state since the last state this session wrote, so
// a flush writes only that (a state line, src/domain/snapshotDelta.ts) instead
// of the whole snapshot. Children are marked changed from the actors' own
// snapshot updates (xstate's inspection events: every update of an actor, or
// of an actor it invoked, marks the top-level child it belongs to); context
// keys are compared by reference (xstate's assign gives a changed value a new
// object and keeps the others). Large per-task maps and lists (the run's
// per-task lists, aligned with its task list) are written entry by entry.
import type { AnyActorRef } from 'xstate';
import { SNAPSHOT_DELTA_SCHEMA_ID, type EntryChanges, type SnapshotDelta } from '../domain/snapshotDelta.js';

/** A context object with at least this many keys is written entry by entry when it changes. */
const ENTRY_DIFF_MIN_KEYS = 64;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Inspectable {
  readonly id: string;
  readonly _parent?: Inspectable | undefined;
}

interface PersistingLogic {
  getPersistedSnapshot(snapshot: unknown): Record<string, unknown>;
}

/** A state taken from the live actor, to be committed once it is durable (or given back when writing failed). */
export interface TakenState {
  readonly line: SnapshotDelta;
  commit(): void;
  abort(): void;
}

export class StateTracker {
  private dirty = new Set<string>();
  private context: Record<string, unknown>;
  private childIds: Set<string>;
  private childrenRef: unknown = null;

  /** Start from the persisted state the actor was restored from (its context objects are the live ones until changed). */
  constructor(persisted: Record<string, unknown>) {
    this.context = isRecord(persisted['context']) ? { ...persisted['context'] } : {};
    this.childIds = new Set(Object.keys(isRecord(persisted['children']) ? persisted['children'] : {}));
  }

  /** An actor's snapshot changed: mark the root's child it belongs to (nothing for the root itself: its parts are compared). */
  touch(ref: unknown, root: AnyActorRef | null): void {
    if (root === null || ref === root) return;
    let r = ref as Inspectable;
    while (r._parent !== undefined && (r._parent as unknown) !== root) r = r._parent;
    if ((r._parent as unknown) === root) this.dirty.add(r.id);
  }

  /**
   * For a whole snapshot (a new base) taken now from the live actor: once it is
   * durable, everything as it stood at this moment counts as written.
   */
  takeAll(actor: AnyActorRef): { commit(): void; abort(): void } {
    const snap = actor.getSnapshot() as { context: Record<string, unknown>; children: Record<string, unknown> };
    const dirty = this.dirty;
    this.dirty = new Set();
    return {
      commit: () => {
        this.context = { ...snap.context };
        this.childIds = new Set(Object.keys(snap.children));
        this.childrenRef = snap.children;
      },
      abort: () => {
        for (const id of dirty) this.dirty.add(id);
      },
    };
  }

  /** The changes since the last committed state, as a line with `seq` and `prev`. Synchronous: taken in the tick of the drain. */
  take(actor: AnyActorRef, runId: string, seq: number, prev: string): TakenState {
    const snap = actor.getSnapshot() as Record<string, unknown> & { context: Record<string, unknown>; children: Record<string, AnyActorRef> };
    const live = snap.children;
    const dirty = this.dirty;
    this.dirty = new Set();
    const gone: string[] = [];
    if (live !== this.childrenRef) {
      for (const id of this.childIds) if (!Object.hasOwn(live, id)) gone.push(id);
      for (const id of Object.keys(live)) if (!this.childIds.has(id)) dirty.add(id);
    }
    const changedRefs: Record<string, AnyActorRef> = {};
    for (const id of dirty) {
      const ref = live[id];
      if (ref !== undefined) changedRefs[id] = ref;
    }
    const whole: Record<string, unknown> = {};
    const entries: Record<string, EntryChanges> = {};
    for (const [key, value] of Object.entries(snap.context)) {
      const before = this.context[key];
      if (value === before && Object.hasOwn(this.context, key)) continue;
      const changes = isRecord(value) && isRecord(before) ? entryChanges(before, value) : Array.isArray(value) && Array.isArray(before) ? slotChanges(before, value) : null;
      if (changes === null) whole[key] = value;
      else entries[key] = changes;
    }
    // xstate's own persisting of the root's fields and of the changed children (the context is passed as changed keys only).
    const logic = (actor as unknown as { logic: PersistingLogic }).logic;
    const partial = logic.getPersistedSnapshot({ ...snap, context: whole, children: changedRefs });
    const { context, children, ...root } = partial;
    const line: SnapshotDelta = {
      schema: SNAPSHOT_DELTA_SCHEMA_ID,
      runId,
      seq,
      prev,
      root,
      context: isRecord(context) ? context : {},
      entries,
      children: isRecord(children) ? children : {},
      gone,
    };
    const next = { context: snap.context, childIds: new Set(Object.keys(live)), childrenRef: live };
    return {
      line,
      commit: () => {
        this.context = { ...next.context };
        this.childIds = next.childIds;
        this.childrenRef = next.childrenRef;
      },
      abort: () => {
        for (const id of dirty) this.dirty.add(id);
      },
    };
  }
}

/** Key counts of maps already compared (a map compared as "after" is the next one's "before"). */
const keyCounts = new WeakMap<object, number>();

/**
 * Entry changes of a large map (by reference), or null when it is small or
 * mostly changed (then written whole). O(entries): one pass over the new map,
 * the old map's size remembered from the pass that saw it new.
 */
function entryChanges(before: Record<string, unknown>, after: Record<string, unknown>): EntryChanges | null {
  const set: Record<string, unknown> = {};
  let size = 0;
  let changed = 0;
  let kept = 0;
  for (const key in after) {
    size += 1;
    const value = after[key];
    const old = before[key];
    if (value === old && (old !== undefined || Object.hasOwn(before, key))) kept += 1;
    else {
      set[key] = value;
      changed += 1;
    }
  }
  keyCounts.set(after, size);
  if (size < ENTRY_DIFF_MIN_KEYS) return null;
  const beforeSize = keyCounts.get(before) ?? Object.keys(before).length;
  const unset: string[] = [];
  // Keys removed: the old map's keys are those kept, those replaced (changed and not new) and those removed.
  const removed = beforeSize - kept - (changed - countNew(before, set));
  if (removed > 0) for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) unset.push(key);
  return changed + unset.length > size / 2 ? null : { set, unset };
}

/**
 * Entry changes of a large list of the same length (set by index), or null
 * when it is small, changed length or is mostly changed (then written whole).
 */
function slotChanges(before: readonly unknown[], after: readonly unknown[]): EntryChanges | null {
  if (after.length < ENTRY_DIFF_MIN_KEYS || after.length !== before.length) return null;
  const set: Record<string, unknown> = {};
  let changed = 0;
  for (let i = 0; i < after.length; i++) {
    if (after[i] === before[i]) continue;
    set[String(i)] = after[i];
    changed += 1;
  }
  return changed > after.length / 2 ? null : { set, unset: [] };
}

/** How many of the changed keys the old map did not have. */
function countNew(before: Record<string, unknown>, set: Record<string, unknown>): number {
  let n = 0;
  for (const key in set) if (!Object.hasOwn(before, key)) n += 1;
  return n;
}
