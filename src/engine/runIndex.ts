// Pure: the run index entry's state fields from a run's stored snapshot. The
// one derivation: the driver indexes each snapshot it writes with it, and a
// rebuild of the index from the run folders uses it too.
import type { SnapshotDoc } from '../domain/snapshotDoc.js';
import type { RunIndexFields } from '../store/port.js';
import { stageOf, statusOf } from './runStatus.js';

interface StoredRun {
  readonly value?: unknown;
  readonly context?: { readonly epoch?: unknown; readonly blocker?: { readonly code?: unknown } | null };
}

/**
 * The index fields of a run as its stored snapshot document says: status,
 * stage, epoch, blocker code (when blocked), the sandbox kind recorded in its
 * sandbox.json (null when none), and `updatedAt`. Says nothing a full read
 * adds (a moved handoff branch, tampered records): see docs/durability.md.
 * @example
 * await store.indexRun(runId, runIndexFields(doc, record?.kind ?? null, new Date().toISOString()));
 */
export function runIndexFields(doc: Pick<SnapshotDoc, 'snapshot'>, sandbox: string | null, updatedAt: string): RunIndexFields {
  const run = doc.snapshot as StoredRun;
  const context = run.context ?? {};
  const snapshot = { value: run.value, context: {} };
  const status = statusOf(snapshot);
  const code = context.blocker?.code;
  return {
    status,
    stage: stageOf(run.value),
    epoch: typeof context.epoch === 'number' ? context.epoch : null,
    blockerCode: status === 'blocked' && typeof code === 'string' ? code : null,
    sandbox,
    updatedAt,
  };
}

/** Whether two index states say the same thing (updatedAt aside). */
export function sameIndexFields(a: RunIndexFields | null, b: RunIndexFields): boolean {
  return a !== null && a.status === b.status && a.stage === b.stage && a.epoch === b.epoch && a.blockerCode === b.blockerCode && a.sandbox === b.sandbox;
}
