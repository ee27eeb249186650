// Reading an attempt folder's records on the runner side. A record that
// exists but does not parse is store corruption: reported, never guessed at.
import * as z from 'zod';
import { BuranError } from '../domain/errors.js';
import { type ExitRecord, type KillRecord, type PidRecord, type SupervisorSpec, readTextIfExists } from './attemptFiles.js';

const Pid = z.number().int().positive();
const Ms = z.number().int().min(0);

const PidRecordSchema = z.object({
  supervisorPid: Pid,
  supervisorStartTime: z.number().int().min(0),
  pgid: Pid,
  workerPid: Pid.nullable(),
  workerStartTime: z.number().int().min(0).nullable(),
  claimedAt: Ms,
  startedAt: Ms.nullable(),
}) satisfies z.ZodType<PidRecord>;

const ExitRecordSchema = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  endedAt: Ms,
  error: z.string().nullable(),
}) satisfies z.ZodType<ExitRecord>;

const KillRecordSchema = z.object({
  reason: z.enum(['wall', 'heartbeat', 'cancel', 'settle', 'orphan']),
  requestedAt: Ms,
  by: z.enum(['runner', 'supervisor']),
}) satisfies z.ZodType<KillRecord>;

const SupervisorSpecSchema = z.object({
  schema: z.literal('buran.supervisor-spec/v1'),
  argv: z.array(z.string()).min(1),
  cwd: z.string(),
  envNames: z.array(z.string()),
  timeoutMs: z.number().positive(),
  heartbeatIntervalMs: z.number().positive(),
  graceMs: z.number().positive(),
}) satisfies z.ZodType<SupervisorSpec>;

/** intent.json: the runner's durable promise to start this attempt, written before anything is spawned. */
export const IntentRecordSchema = z.object({
  schema: z.literal('buran.attempt-intent/v1'),
  writtenAt: Ms,
  /** sha256 of spec.json, so a recovery can tell it would start the same thing. */
  specDigest: z.string(),
  attempt: z.object({ runId: z.string(), taskId: z.string(), attemptId: z.string(), epoch: z.number().int() }).nullable(),
});
export type IntentRecord = z.output<typeof IntentRecordSchema>;

export interface ParsedRecord<T> {
  readonly record: T;
  readonly text: string;
}

function readRecord<T>(file: string, schema: z.ZodType<T>): ParsedRecord<T> | null {
  const text = readTextIfExists(file);
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw corrupt(file, 'is not JSON', cause);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw corrupt(file, `does not match its shape: ${z.prettifyError(parsed.error)}`, parsed.error);
  return { record: parsed.data, text };
}

function corrupt(file: string, what: string, cause: unknown): BuranError {
  return new BuranError({ code: 'store_corrupt', message: `${file} ${what}`, details: { file }, cause });
}

export const readPidRecord = (file: string): PidRecord | null => readRecord(file, PidRecordSchema)?.record ?? null;
/** The exit record with its exact text (the command adapter digests the bytes). */
export const readExitRecord = (file: string): ParsedRecord<ExitRecord> | null => readRecord(file, ExitRecordSchema);
export const readKillRecord = (file: string): KillRecord | null => readRecord(file, KillRecordSchema)?.record ?? null;
export const readIntentRecord = (file: string): IntentRecord | null => readRecord(file, IntentRecordSchema)?.record ?? null;
export const readSupervisorSpec = (file: string): SupervisorSpec | null => readRecord(file, SupervisorSpecSchema)?.record ?? null;
