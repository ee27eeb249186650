// What `buran status` does; its definition is in ../commands/runs.ts.
import { readSandboxRecord, sandboxWord } from '../../engine/sandboxChoice.js';
import type { RunIndexEntry } from '../../store/port.js';
import { type Project, openProject } from '../../engine/project.js';
import { statusJson } from '../../engine/statusView.js';
import { viewExtras } from '../../engine/viewExtras.js';
import { runLockHolder } from '../../store/runLock.js';
import { EXIT } from '../exitCodes.js';
import { statusLines } from '../format.js';
import type { Io } from '../io.js';
import { chooseRun } from '../runChoice.js';
import { exitForStatus } from '../runExit.js';

/** The list's fields of a run its index does not describe yet, from a full (checked) read. */
async function checkedFields(project: Project, runId: string): Promise<Pick<RunIndexEntry, 'status' | 'stage' | 'epoch' | 'blockerCode' | 'sandbox'>> {
  const view = await project.runner.inspect(runId);
  const sandbox = await readSandboxRecord(project.store.runDir(runId));
  return { status: view.status, stage: view.stage, epoch: view.snapshot.context.epoch, blockerCode: view.blocker?.code ?? null, sandbox: sandbox?.kind ?? null };
}

export async function statusAction(io: Io, opts: { run?: string; json?: boolean; exitStatus?: boolean }): Promise<void> {
  const project = await openProject({ cwd: process.cwd() });
  if (opts.run === undefined) {
    // The index alone, as the runs' drivers last recorded it; an entry no driver has indexed yet
    // (an index older than its state fields) is read in full once. `status --run` is the checked view.
    const rows = await Promise.all((await project.store.listRuns()).map(async (r) => (r.stage === null ? { ...r, ...(await checkedFields(project, r.runId)) } : r)));
    if (opts.json === true) io.out(JSON.stringify(rows.map((r) => ({ runId: r.runId, packetId: r.packetId, status: r.status, stage: r.stage, epoch: r.epoch, blockerCode: r.blockerCode, createdAt: r.createdAt, updatedAt: r.updatedAt, sandbox: r.sandbox }))));
    else if (rows.length === 0) io.out('no runs yet: buran approve <packet>');
    else for (const r of rows) io.out(`${r.runId}  ${r.status}  ${r.stage ?? '?'}  ${r.packetId}  ${sandboxWord(r.sandbox === null ? null : { kind: r.sandbox })}${r.blockerCode === null ? '' : `  ${r.blockerCode}`}`);
    io.exit(EXIT.ok);
    return;
  }
  const runId = await chooseRun(project, opts.run, io);
  const view = await project.runner.inspect(runId);
  const events = await project.runner.events(runId);
  const holder = await runLockHolder(project.store.runDir(runId));
  const driver = holder === null || holder.pid === process.pid ? null : holder;
  const status = statusJson(view, events.at(-1)?.ts ?? null, project.store.runDir(runId), Date.now, await readSandboxRecord(project.store.runDir(runId)), driver);
  if (opts.json === true) io.out(JSON.stringify(status));
  else for (const line of statusLines(status, (await viewExtras(project, view)).reasons)) io.out(line);
  io.exit(opts.exitStatus === true ? exitForStatus(status.status) : EXIT.ok);
}
