// A buran project: a git repository with a `.buran/` store. Opens the store,
// reads the config, and builds a runner whose effects are the real ones. The
// effects, approval and notification code are imported on first use, so the
// read-only commands (status, report, events) do not load the workers.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { type CrashPoint, crashPointsFrom, noCrash } from '../chaos/crashPoints.js';
import { checkConfig, DEFAULT_CONFIG, type Config } from '../domain/config.js';
import { BuranError } from '../domain/errors.js';
import { RunRecordSchema } from '../domain/runRecord.js';
import { formatProblem } from '../domain/problems.js';
import { createFileStore, initStore } from '../store/index.js';
import { readBranchTip } from '../workspace/branchTip.js';
import { readSandboxRecord } from './sandboxChoice.js';
import { readSealedFiles } from './sealedFiles.js';
import { secretValuesOf } from '../domain/redact.js';
import { statusJson } from './statusView.js';
import { redactorOf } from './redactResults.js';
import { gatherSetup } from './setupView.js';
import { createFileNotifyMarks } from './notifyMarks.js';
import { type Clock, systemClock } from './clock.js';
import { createFileInbox } from './inbox.js';
import { createFileLocks } from './locks.js';
import type { EventRecord } from '../domain/events.js';
import { createRunner } from './runner.js';
import { repoRootOf } from './projectStore.js';
import { unconfirmedHooks } from './unconfirmedHooks.js';

export const CONFIG_FILE = 'config.json';
export { repoRootOf };

export async function readConfig(storeDir: string): Promise<Config> {
  const file = join(storeDir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return DEFAULT_CONFIG;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BuranError({ code: 'invalid_input', message: `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, details: { file } });
  }
  const { config, problems } = checkConfig(raw);
  if (config === null) {
    throw new BuranError({ code: 'invalid_input', message: `${file} is not a valid buran config:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, details: { file, problems } });
  }
  return config;
}

/** BURAN_BWRAP: an absolute path, else refused (a relative one would resolve against whatever folder buran runs in). */
function bwrapOption(path: string | undefined): { bwrap?: string } {
  if (path === undefined || path === '') return {};
  if (!isAbsolute(path)) throw new BuranError({ code: 'invalid_input', message: `BURAN_BWRAP must be an absolute path, not ${path}`, details: { path } });
  return { bwrap: path };
}

export interface ProjectOptions {
  readonly cwd: string;
  readonly clock?: Clock;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly onEvent?: (event: EventRecord) => void;
  /** Crash points for the chaos harness; default: from BURAN_CRASH_AT / BURAN_FAULT_AT in `env` (inert when unset). */
  readonly crash?: CrashPoint;
  /**
   * The bwrap executable the sandbox uses instead of searching /usr/bin, /bin, /usr/local/bin;
   * default: BURAN_BWRAP in `env` (unset: search). A path with no executable there means "no bubblewrap".
   */
  readonly bwrap?: string;
}

/**
 * Open (creating `.buran/` if needed) the project that contains `cwd`.
 * @example
 * const project = await openProject({ cwd: process.cwd(), onEvent: (e) => console.log(e.seq, e.type, e.to) });
 * const { runId } = await project.approve('packet.yaml', 'alice');
 * const result = await project.runner.drive(runId);
 */
export async function openProject(options: ProjectOptions) {
  const root = await repoRootOf(options.cwd);
  const { storeDir } = await initStore(root);
  const config = await readConfig(storeDir);
  const env = options.env ?? process.env;
  const armed = options.crash ?? crashPointsFrom(env);
  const crash = armed === noCrash ? {} : { crash: armed };
  const bwrap = bwrapOption(options.bwrap ?? env['BURAN_BWRAP']);
  const store = createFileStore({ root, ...crash });
  const clock = options.clock ?? systemClock;
  const runner = createRunner({
    store,
    locks: createFileLocks((runId) => store.runDir(runId)),
    inbox: createFileInbox((runId) => store.runDir(runId)),
    clock,
    // Handed-off runs are compared with their branch in this repository (status, report, run).
    branchTip: (branch) => readBranchTip(root, branch),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    sealedFiles: (runId) => readSealedFiles(store.runDir(runId)),
    notifyMarks: createFileNotifyMarks(join(storeDir, 'notify-state')),
    // The payload is what `buran status --run <id> --json` prints.
    notify: async ({ runId, view, updatedAt }) => {
      const runDir = store.runDir(runId);
      const events = await runner.events(runId);
      const setup = await gatherSetup(view, events, { runId, getArtifact: (id, hash) => store.getArtifact(id, hash), redact: redactorOf(secretValuesOf(env)) });
      const payload = JSON.stringify(statusJson(view, updatedAt, runDir, () => clock.now(), await readSandboxRecord(runDir), null, setup, unconfirmedHooks(events)));
      const { deliverNotification } = await import('../notify/deliver.js');
      return deliverNotification(config.notify, payload, { cwd: root, env, knownSecrets: secretValuesOf(env) });
    },
    effectsFor: async (runId, run) => {
      const record = RunRecordSchema.parse(await store.readRecord(runId));
      const { createLocalEffects } = await import('./localEffects.js');
      return createLocalEffects({ repoRoot: root, storeDir, store, record, config, env, clock, current: run.current, ...crash, ...bwrap });
    },
  });
  return {
    root,
    storeDir,
    config,
    store,
    runner,
    approve: async (packetFile: string, by: string) => (await import('./approve.js')).approvePacket({ packetFile, by, store, runner, clock }),
  };
}

export type Project = Awaited<ReturnType<typeof openProject>>;
