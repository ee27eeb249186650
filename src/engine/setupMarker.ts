// The runner's record that setup succeeded in a worktree for an epoch, kept in
// the run store (never in the worktree, which the worker controls and the
// sandbox lets it write). A re-attached or resumed task finds it and does not
// set up twice; a worktree made again (another inode) is set up again.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { BuranError } from '../domain/errors.js';
import { contentHash } from '../domain/hash.js';
import type { SetupRecord } from '../domain/setup.js';
import { errnoCode } from '../platform/errno.js';
import { writeFileDurable } from '../platform/durableWrite.js';

const MarkerSchema = z.strictObject({
  schema: z.literal('buran.setup-marker/v1'),
  worktree: z.string(),
  epoch: z.number().int().min(1),
  identity: z.string(),
  commands: z.string(),
  record: z.strictObject({
    where: z.string(),
    status: z.literal('ok'),
    commands: z.array(z.strictObject({ argv: z.array(z.string()), exitCode: z.number().int().nullable(), timedOut: z.boolean(), durationMs: z.number(), evidence: z.string(), error: z.string().optional() })),
    outputs: z.array(z.string()).optional(),
  }),
});

export interface SetupMarkerKey {
  /** `<runDir>`: markers live in `<runDir>/setup/`. */
  readonly runDir: string;
  readonly worktree: string;
  readonly epoch: number;
  /** The setup commands (a different list is never taken for done). */
  readonly commands: readonly (readonly string[])[];
}

/** The file of a marker: one per worktree and epoch. */
export function setupMarkerPath(key: SetupMarkerKey): string {
  return join(key.runDir, 'setup', `${contentHash({ worktree: key.worktree, epoch: key.epoch }).slice('sha256:'.length, 'sha256:'.length + 32)}.json`);
}

/** Which directory this is on disk: the same path made again is another directory. */
async function identityOf(worktree: string): Promise<string> {
  const s = await stat(worktree);
  return `${s.dev}:${s.ino}:${s.birthtimeMs}`;
}

/** The setup that already succeeded for this worktree and epoch (status `reused`), or null when setup must run. */
export async function readSetupMarker(key: SetupMarkerKey): Promise<SetupRecord | null> {
  const path = setupMarkerPath(key);
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  let parsed: z.output<typeof MarkerSchema>;
  try {
    parsed = MarkerSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new BuranError({ code: 'store_corrupt', message: `setup marker ${path} does not parse; move it aside to set up this worktree again`, details: { path }, cause: error });
  }
  const same = parsed.worktree === key.worktree && parsed.epoch === key.epoch && parsed.commands === contentHash(key.commands) && parsed.identity === (await identityOf(key.worktree));
  if (!same) return null;
  // What the caller keeps: the commands that ran then, marked as not run again now.
  const commands = parsed.record.commands.map(({ error, ...c }) => ({ ...c, ...(error === undefined ? {} : { error }) }));
  return { where: parsed.record.where, status: 'reused', commands, ...(parsed.record.outputs === undefined ? {} : { outputs: parsed.record.outputs }) };
}

/** Records that setup succeeded (written after the last command exited 0, durably). */
export async function writeSetupMarker(key: SetupMarkerKey, record: SetupRecord): Promise<void> {
  const marker = { schema: 'buran.setup-marker/v1', worktree: key.worktree, epoch: key.epoch, identity: await identityOf(key.worktree), commands: contentHash(key.commands), record };
  const path = setupMarkerPath(key);
  await mkdir(join(key.runDir, 'setup'), { recursive: true });
  await writeFileDurable(path, `${JSON.stringify(marker, null, 2)}\n`);
}
