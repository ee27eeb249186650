// Operator commands for a run that another process is driving: posted as
// files in the run folder, taken (and deleted) by the driver, which applies
// them to the chart. The memory twin serves embedded hosts and tests.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { OPERATOR_DECISIONS } from '../domain/blockers.js';

export const OperatorEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('PAUSE'), by: z.string(), reason: z.string() }),
  z.strictObject({ type: z.literal('RESUME'), by: z.string(), reason: z.string() }),
  z.strictObject({ type: z.literal('CANCEL'), by: z.string(), reason: z.string() }),
  z.strictObject({ type: z.literal('UNBLOCK'), decision: z.enum(OPERATOR_DECISIONS), by: z.string(), reason: z.string() }),
  z.strictObject({ type: z.literal('DECIDE'), gate: z.string(), verdict: z.enum(['approve', 'reject']), by: z.string(), reason: z.string() }),
]);
export type OperatorEvent = z.output<typeof OperatorEventSchema>;

export interface PostedCommand {
  readonly id: string;
  readonly event: OperatorEvent;
}

export interface CommandInbox {
  post(runId: string, event: OperatorEvent): Promise<string>;
  /** Commands in the order they were posted; each is removed as it is taken. Unreadable ones are returned as errors. */
  take(runId: string): Promise<{ taken: PostedCommand[]; invalid: { id: string; reason: string }[] }>;
  /** Whether a posted command is still waiting. */
  pending(runId: string, id: string): Promise<boolean>;
}

export function createFileInbox(runDir: (runId: string) => string): CommandInbox {
  const dir = (runId: string) => join(runDir(runId), 'inbox');
  return {
    async post(runId, event) {
      const id = `${Date.now().toString().padStart(15, '0')}-${randomBytes(4).toString('hex')}`;
      await mkdir(dir(runId), { recursive: true });
      const tmp = join(dir(runId), `.${id}.tmp`);
      await writeFile(tmp, JSON.stringify(event));
      await rename(tmp, join(dir(runId), `${id}.json`));
      return id;
    },
    async take(runId) {
      const names = (await readdir(dir(runId)).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
      const taken: PostedCommand[] = [];
      const invalid: { id: string; reason: string }[] = [];
      for (const name of names) {
        const file = join(dir(runId), name);
        const id = name.slice(0, -'.json'.length);
        try {
          const parsed = OperatorEventSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
          if (parsed.success) taken.push({ id, event: parsed.data });
          else invalid.push({ id, reason: parsed.error.issues[0]?.message ?? 'invalid command' });
        } catch (error) {
          invalid.push({ id, reason: error instanceof Error ? error.message : String(error) });
        }
        await rm(file, { force: true });
      }
      return { taken, invalid };
    },
    async pending(runId, id) {
      return (await readdir(dir(runId)).catch(() => [] as string[])).includes(`${id}.json`);
    },
  };
}

export function createMemoryInbox(): CommandInbox {
  const queues = new Map<string, PostedCommand[]>();
  let n = 0;
  return {
    post(runId, event) {
      const id = String(++n).padStart(8, '0');
      queues.set(runId, [...(queues.get(runId) ?? []), { id, event }]);
      return Promise.resolve(id);
    },
    take(runId) {
      const taken = queues.get(runId) ?? [];
      queues.delete(runId);
      return Promise.resolve({ taken, invalid: [] });
    },
    pending(runId, id) {
      return Promise.resolve((queues.get(runId) ?? []).some((c) => c.id === id));
    },
  };
}
