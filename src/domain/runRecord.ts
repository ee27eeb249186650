import * as z from 'zod';
import { RUN_ID_PATTERN } from './runId.js';

export const RUN_RECORD_SCHEMA_ID = 'buran.run/v1';

/** The approval of a packet: who, when, and the content hash it approved. */
export const ApprovalSchema = z.strictObject({
  by: z.string().min(1),
  at: z.iso.datetime(),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});

/** `run.json`: what a run is (its packet and approval); what it is doing lives in the snapshot and the events. */
export const RunRecordSchema = z.strictObject({
  schema: z.literal(RUN_RECORD_SCHEMA_ID),
  runId: z.string().regex(RUN_ID_PATTERN),
  packetId: z.string().min(1),
  /** Where the packet was approved from (absolute path); intake re-reads and re-hashes it. */
  packetFile: z.string().min(1),
  /** Hash of the packet as approved; a copy of the packet is stored as an artifact under this hash. */
  approval: ApprovalSchema,
  createdAt: z.iso.datetime(),
});
export type RunRecord = z.output<typeof RunRecordSchema>;
