// What a runner keeps of each attempt it sent to the queue, in the run folder
// (`queue/<attemptId>.json`): the base the job carries (the only parent its
// commit may have), whether the job was added, and the worker agent that took
// it. Written before the add and after it, so a restarted runner re-attaches
// by attempt id and never adds twice; read by status and the report.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { BuranError } from '../domain/errors.js';
import { mkdir } from 'node:fs/promises';
import { writeFileDurable } from '../platform/durableWrite.js';

export const QUEUED_ATTEMPT_SCHEMA_ID = 'buran.queued-attempt/v1';

export const QueuedAttemptSchema = z.strictObject({
  schema: z.literal(QUEUED_ATTEMPT_SCHEMA_ID),
  attemptId: z.string().min(1),
  taskId: z.string().min(1),
  /** The job's id in the queue (`jobIdOf(runId, attemptId)`); absent in records of runners that named jobs by the attempt id alone. */
  jobId: z.string().min(1).optional(),
  baseCommit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  /** When the job was added (epoch ms, the runner's clock); null until the add was acknowledged. */
  addedAt: z.number().nullable(),
  /** The worker agent that took the job (its `--name`), once known. */
  agent: z.string().nullable(),
  /**
   * When this runner first saw an agent holding the job (epoch ms, the runner's clock): the attempt's time limit runs
   * from here, not from the add (a job waiting for a free agent is not working). Absent in records of older runners.
   */
  takenAt: z.number().nullable().optional(),
});
export type QueuedAttempt = z.output<typeof QueuedAttemptSchema>;

const folderOf = (runDir: string) => join(runDir, 'queue');
const fileOf = (runDir: string, attemptId: string) => join(folderOf(runDir), `${attemptId}.json`);

/** The id the attempt's job has in the queue: as recorded (the attempt id alone for records written before job ids). */
export function jobIdOfRecord(record: Pick<QueuedAttempt, 'attemptId' | 'jobId'>): string {
  return record.jobId ?? record.attemptId;
}

export function readQueuedAttempt(runDir: string, attemptId: string): QueuedAttempt | null {
  const file = fileOf(runDir, attemptId);
  if (!existsSync(file)) return null;
  const parsed = QueuedAttemptSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new BuranError({ code: 'store_corrupt', message: `${file} is not a queued-attempt record: ${parsed.error.message}`, details: { file } });
  return parsed.data;
}

export async function writeQueuedAttempt(runDir: string, record: QueuedAttempt): Promise<void> {
  await mkdir(folderOf(runDir), { recursive: true });
  await writeFileDurable(fileOf(runDir, record.attemptId), `${JSON.stringify(record, null, 2)}\n`);
}

/** Every attempt of the run that went to the queue (none for a run whose attempts ran here). */
export function queuedAttempts(runDir: string): QueuedAttempt[] {
  const folder = folderOf(runDir);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const record = readQueuedAttempt(runDir, name.slice(0, -'.json'.length));
      return record === null ? [] : [record];
    });
}

/** attempt id → the worker agent that ran it, for status and the report (attempts that ran here are absent). */
export function attemptAgents(runDir: string): Record<string, string> {
  const agents: Record<string, string> = {};
  for (const record of queuedAttempts(runDir)) if (record.agent !== null) agents[record.attemptId] = record.agent;
  return agents;
}
