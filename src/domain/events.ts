import { z } from 'zod';

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
});
export type EventRecord = z.output<typeof EventRecordSchema>;
