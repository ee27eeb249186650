import * as z from 'zod';

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);

/** The state and records the runner wrote with this event (see src/engine/seal.ts). */
export const EventSealSchema = z.strictObject({
  /** Digest of the snapshot written after this event (its `seq` is this event's). */
  snapshot: Digest,
  /** Digest of each of the run's other records as the runner last wrote or checked it (`run.json`, …). */
  files: z.record(z.string(), Digest),
});
export type EventSeal = z.output<typeof EventSealSchema>;

/**
 * One line of a run's append-only `events.jsonl`. `seq` starts at 1 and has
 * no gaps; `from` / `to` are the serialized state values of a transition.
 */
export const EventRecordSchema = z.strictObject({
  seq: z.number().int().min(1),
  /** ISO-8601 time from the runner's injected clock. */
  ts: z.iso.datetime(),
  runId: z.string().min(1),
  /** `transition`, `operator`, `lock_takeover`, `late_completion`, `torn_log`, `dispatch_intent`, … */
  type: z.string().min(1),
  from: z.string().nullable(),
  to: z.string().nullable(),
  taskId: z.string().optional(),
  attemptId: z.string().optional(),
  epoch: z.number().int().min(1).optional(),
  data: z.record(z.string(), z.unknown()),
  /** Digest of the previous line (for seq 1: of the snapshot the run was created with). */
  prev: Digest.optional(),
  seal: EventSealSchema.optional(),
});
export type EventRecord = z.output<typeof EventRecordSchema>;
