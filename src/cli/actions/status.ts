// What `buran status` does; its definition is in ../commands/runs.ts.
import { readSandboxRecord, sandboxWord } from '../../engine/sandboxChoice.js';
import { openProject } from '../../engine/project.js';
import { statusJson } from '../../engine/statusView.js';
import { viewExtras } from '../../engine/viewExtras.js';
import { runLockHolder } from '../../store/runLock.js';
import { EXIT } from '../exitCodes.js';
import { statusLines } from '../format.js';
import type { Io } from '../io.js';
import { chooseRun } from '../runChoice.js';
import { exitForStatus } from '../runExit.js';

export async function statusAction(io: Io, opts: { run?: string; json?: boolean; exitStatus?: boolean }): Promise<void> {
  const project = await openProject({ cwd: process.cwd() });
  if (opts.run === undefined) {
    const runs = await project.store.listRuns();
    const rows = await Promise.all(runs.map(async (r) => ({ ...r, view: await project.runner.inspect(r.runId), sandbox: await readSandboxRecord(project.store.runDir(r.runId)) })));
    if (opts.json === true) io.out(JSON.stringify(rows.map((r) => ({ runId: r.runId, packetId: r.packetId, status: r.view.status, stage: r.view.stage, createdAt: r.createdAt, sandbox: r.sandbox?.kind ?? null }))));
    else if (rows.length === 0) io.out('no runs yet: buran approve <packet>');
    else for (const r of rows) io.out(`${r.runId}  ${r.view.status}  ${r.view.stage}  ${r.packetId}  ${sandboxWord(r.sandbox)}`);
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
