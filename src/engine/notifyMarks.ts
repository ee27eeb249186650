// Which blocks a person was already told about that no transition records:
// `evidence_tampered` and `handoff_moved` are found when a run is looked at,
// and a tampered run's folder must not be written. The marks live outside the
// run folder (`.buran/notify-state/<runId>.json`), keyed by what was found
// (the blocker's code and details), so each finding is notified once.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Blocker } from '../domain/blockers.js';
import { contentHash } from '../domain/hash.js';
import { errnoCode } from '../platform/errno.js';
import { writeFileDurable } from '../platform/durableWrite.js';
import type { NotifyTargetResult } from './notifyDue.js';
import type { RunView } from './runView.js';
import type { NotifyRequest } from './session.js';

export interface NotifyMarks {
  /** Whether `key` was already notified for the run. */
  has(runId: string, key: string): Promise<boolean>;
  /** Record that `key` was notified (`ok`: every target took it). */
  add(runId: string, key: string, ok: boolean): Promise<void>;
}

/** The key of a finding: its code and a digest of its details (a new tip or a new change is a new finding). Pure. */
export function findingKey(blocker: Blocker): string {
  return `${blocker.code}:${contentHash(blocker.details)}`;
}

/** The in-memory twin. */
export function createMemoryNotifyMarks(): NotifyMarks {
  const marks = new Set<string>();
  return {
    has: (runId, key) => Promise.resolve(marks.has(`${runId}\n${key}`)),
    add: (runId, key) => {
      marks.add(`${runId}\n${key}`);
      return Promise.resolve();
    },
  };
}

const SCHEMA = 'buran.notify-state/v1';
type MarksDoc = { schema: typeof SCHEMA; sent: Record<string, { at: string; ok: boolean }> };

/** Marks in `<dir>/<runId>.json` (written atomically and durably). An unreadable record counts as no marks: notifying twice beats never. */
export function createFileNotifyMarks(dir: string, now: () => number = Date.now): NotifyMarks {
  const file = (runId: string) => join(dir, `${runId}.json`);
  const read = async (runId: string): Promise<MarksDoc> => {
    try {
      const doc = JSON.parse(await readFile(file(runId), 'utf8')) as Partial<MarksDoc>;
      if (doc.schema === SCHEMA && typeof doc.sent === 'object' && doc.sent !== null) return { schema: SCHEMA, sent: doc.sent };
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    }
    return { schema: SCHEMA, sent: {} };
  };
  return {
    has: async (runId, key) => (await read(runId)).sent[key] !== undefined,
    add: async (runId, key, ok) => {
      const doc = await read(runId);
      doc.sent[key] = { at: new Date(now()).toISOString(), ok };
      await mkdir(dir, { recursive: true });
      await writeFileDurable(file(runId), `${JSON.stringify(doc, null, 2)}\n`);
    },
  };
}

/** What `notifyFindingOnce` needs of the session. */
export interface FindingNotifier {
  readonly notify?: (run: NotifyRequest) => Promise<readonly NotifyTargetResult[]>;
  readonly notifyMarks?: NotifyMarks;
}

/**
 * Tell people about a block found by looking at the run (its blocker is the
 * finding), once per finding. Nothing is written into the run's folder.
 */
export async function notifyFindingOnce(deps: FindingNotifier, view: RunView, updatedAt: string | null): Promise<void> {
  const { notify, notifyMarks } = deps;
  if (notify === undefined || notifyMarks === undefined || view.blocker === null) return;
  const key = findingKey(view.blocker);
  if (await notifyMarks.has(view.runId, key)) return;
  const targets = await notify({ runId: view.runId, status: 'blocked', view, updatedAt }).catch((error: unknown): NotifyTargetResult[] => [
    { target: 'notify', ok: false, tries: 1, error: error instanceof Error ? error.message : String(error) },
  ]);
  if (targets.length === 0) return;
  await notifyMarks.add(view.runId, key, targets.every((t) => t.ok));
}
