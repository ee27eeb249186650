// What the run commands do (init, approve, run, report, events); their
// definitions are in ../commands/runs.ts. `status` is in ./status.ts.
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BuranError } from '../../domain/errors.js';
import { DEFAULT_CONFIG } from '../../domain/config.js';
import { CONFIG_FILE, openProject } from '../../engine/project.js';
import { buildReport, reportMarkdown } from '../../engine/report.js';
import { viewExtras } from '../../engine/viewExtras.js';
import { readSandboxRecord } from '../../engine/sandboxChoice.js';
import { EXIT } from '../exitCodes.js';
import { eventLine } from '../format.js';
import type { Io } from '../io.js';
import { who } from '../options.js';
import { chooseRun } from '../runChoice.js';

export async function initAction(io: Io, opts: { json?: boolean }): Promise<void> {
  const project = await openProject({ cwd: process.cwd() });
  const file = join(project.storeDir, CONFIG_FILE);
  if (!existsSync(file)) await writeFile(file, `${JSON.stringify(DEFAULT_CONFIG, null, 2)}\n`, { flag: 'wx' });
  io.out(opts.json === true ? JSON.stringify({ storeDir: project.storeDir, config: file }) : `buran initialised in ${project.storeDir} (config: ${file})`);
  io.exit(EXIT.ok);
}

export async function approveAction(io: Io, packet: string, opts: { by?: string; json?: boolean }): Promise<void> {
  const project = await openProject({ cwd: process.cwd() });
  const { runId, record } = await project.approve(packet, who(opts.by));
  io.out(opts.json === true ? JSON.stringify({ runId }) : `approved ${record.packetId} (${record.approval.hash}) as run ${runId}\nnext: buran run --run ${runId}`);
  io.exit(EXIT.ok);
}

export async function reportAction(io: Io, opts: { run?: string; format: string; json?: boolean }): Promise<void> {
  if (opts.format !== 'md' && opts.format !== 'json') throw new BuranError({ code: 'invalid_input', message: `--format must be md or json, not ${opts.format}`, details: {} });
  const format = opts.json === true ? 'json' : opts.format;
  const project = await openProject({ cwd: process.cwd() });
  const runId = await chooseRun(project, opts.run, io);
  const view = await project.runner.inspect(runId);
  // A tampered record or a moved handoff branch is reported (blocked), not repaired; report exits 0 whatever the run's status.
  const report = buildReport(view.snapshot, await project.runner.events(runId), {}, view.tampered ?? view.handoffMoved, await readSandboxRecord(project.store.runDir(runId)), await viewExtras(project, view));
  io.out(format === 'json' ? JSON.stringify(report, null, 2) : reportMarkdown(report));
  io.exit(EXIT.ok);
}

export async function eventsAction(io: Io, opts: { run?: string; json?: boolean; follow?: boolean }): Promise<void> {
  const project = await openProject({ cwd: process.cwd() });
  const runId = await chooseRun(project, opts.run, io);
  let seen = 0;
  for (;;) {
    const events = await project.runner.events(runId);
    for (const e of events.filter((x) => x.seq > seen)) io.out(opts.json === true ? JSON.stringify(e) : eventLine(e));
    seen = events.at(-1)?.seq ?? seen;
    if (opts.follow !== true) break;
    // A final run ends the follow, also when it reads as blocked because its handoff branch moved.
    const { status, handoffMoved, tampered } = await project.runner.inspect(runId);
    if (status === 'handoff_ready' || status === 'cancelled' || status === 'failed' || handoffMoved !== null || tampered !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  io.exit(EXIT.ok);
}
