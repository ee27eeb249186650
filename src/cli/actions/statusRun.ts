// `buran status --run <id>`: the checked view of one run (the folder, the log's
// chain, the seal, the handoff branch). Imported by ./status.ts when needed.
import { setupOf } from '../../engine/setupView.js';
import { type Project, openProject } from '../../engine/project.js';
import { readSandboxRecord } from '../../engine/sandboxChoice.js';
import { statusJson } from '../../engine/statusView.js';
import { unconfirmedHooks } from '../../engine/unconfirmedHooks.js';
import { viewExtras } from '../../engine/viewExtras.js';
import { runLockHolder } from '../../store/runLock.js';
import type { RunIndexEntry } from '../../store/port.js';
import { EXIT } from '../exitCodes.js';
import { statusLines } from '../format.js';
import type { Io } from '../io.js';
import { chooseRun } from '../runChoice.js';
import { exitForStatus } from '../runExit.js';

export type ListedFields = Pick<RunIndexEntry, 'status' | 'stage' | 'epoch' | 'blockerCode' | 'sandbox'>;

let opened: Promise<Project> | null = null;

/** The list's fields of a run its index does not describe yet, from a full (checked) read. */
export async function checkedFields(runId: string): Promise<ListedFields> {
  opened ??= openProject({ cwd: process.cwd() });
  const p = await opened;
  const view = await p.runner.inspect(runId);
  const sandbox = await readSandboxRecord(p.store.runDir(runId));
  return { status: view.status, stage: view.stage, epoch: view.snapshot.context.epoch, blockerCode: view.blocker?.code ?? null, sandbox: sandbox?.kind ?? null };
}

export async function statusRunAction(io: Io, opts: { run: string; json?: boolean; exitStatus?: boolean }): Promise<void> {
  const project = await openProject({ cwd: process.cwd() });
  const runId = await chooseRun(project, opts.run, io);
  const view = await project.runner.inspect(runId);
  const events = await project.runner.events(runId);
  const holder = await runLockHolder(project.store.runDir(runId));
  const driver = holder === null || holder.pid === process.pid ? null : holder;
  const setup = await setupOf(project, view, events);
  const status = statusJson(view, events.at(-1)?.ts ?? null, project.store.runDir(runId), Date.now, await readSandboxRecord(project.store.runDir(runId)), driver, setup, unconfirmedHooks(events));
  if (opts.json === true) io.out(JSON.stringify(status));
  else for (const line of statusLines(status, (await viewExtras(project, view)).reasons)) io.out(line);
  io.exit(opts.exitStatus === true ? exitForStatus(status.status) : EXIT.ok);
}
