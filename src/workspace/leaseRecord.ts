// The lease record of a run (`<worktrees>/<runId>/lease.json`): what was
// leased, so a re-lease re-attaches instead of re-resolving `base`.
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { BuranError } from '../domain/errors.js';
import { errnoCode } from '../platform/errno.js';
import { leaseRecordPath } from './layout.js';

const LeaseRecordSchema = z.strictObject({
  runId: z.string(),
  base: z.string(),
  branch: z.string(),
  worktree: z.string(),
  baseCommit: z.string().regex(/^[0-9a-f]{40,64}$/),
  /**
   * True once the branch and worktree were first in place. From then on the
   * branch may hold merged work, so a missing branch is never re-created from
   * the base (that would silently drop the merges): the lease is lost.
   */
  established: z.boolean().optional(),
});
export type LeaseRecord = z.output<typeof LeaseRecordSchema>;

/** The run's lease record, or null when it has none; a record that does not parse is store_corrupt. */
export async function readLease(store: string, runId: string): Promise<LeaseRecord | null> {
  const text = await readFile(leaseRecordPath(store, runId), 'utf8').catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const parsed = LeaseRecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new BuranError({ code: 'store_corrupt', message: `lease record of run ${runId} is malformed`, details: { runId, path: leaseRecordPath(store, runId) } });
  }
  return parsed.data;
}
