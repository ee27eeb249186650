// The run commands: init, approve, run (run.ts), status, report, events.
import type { Command } from 'commander';
import { BuranError } from '../../domain/errors.js';
import { chooseRun } from '../runChoice.js';
import { registerRun } from './run.js';
import { runLockHolder } from '../../store/runLock.js';
import { CONFIG_FILE, openProject } from '../../engine/project.js';
import { buildReport, reportMarkdown } from '../../engine/report.js';
import { statusJson } from '../../engine/statusView.js';
import { viewExtras } from '../../engine/viewExtras.js';
import { setupOf } from '../../engine/setupView.js';
import { readSandboxRecord, sandboxWord } from '../../engine/sandboxChoice.js';
import { EXIT } from '../exitCodes.js';
import { eventLine, statusLines } from '../format.js';
import type { Io } from '../io.js';
import { runIdOption, who } from '../options.js';
import { exitForStatus } from '../runExit.js';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../domain/config.js';

export function registerRunCommands(program: Command, io: Io): void {
  program
    .command('init')
    .description('Create .buran/ (store and config.json with the documented defaults) in this git repository. Idempotent.')
    .option('--json', 'print {"storeDir": "...", "config": "..."}')
    .addHelpText('after', '\nExample:\n  cd my-repo && buran init')
    .action(async (opts: { json?: boolean }) => {
      const project = await openProject({ cwd: process.cwd() });
      const file = join(project.storeDir, CONFIG_FILE);
      if (!existsSync(file)) await writeFile(file, `${JSON.stringify(DEFAULT_CONFIG, null, 2)}\n`, { flag: 'wx' });
      io.out(opts.json === true ? JSON.stringify({ storeDir: project.storeDir, config: file }) : `buran initialised in ${project.storeDir} (config: ${file})`);
      io.exit(EXIT.ok);
    });

  program
    .command('approve')
    .description('Validate a packet, record its approval (content hash, who, when) and create a run.')
    .argument('<packet>', 'packet file (.json, .yaml or .yml)')
    .option('--by <name>', 'who approves (default: $USER)')
    .option('--json', 'print {"runId": "..."}')
    .addHelpText('after', '\nExample:\n  buran approve packet.yaml --by ana')
    .action(async (packet: string, opts: { by?: string; json?: boolean }) => {
      const project = await openProject({ cwd: process.cwd() });
      const { runId, record } = await project.approve(packet, who(opts.by));
      io.out(opts.json === true ? JSON.stringify({ runId }) : `approved ${record.packetId} (${record.approval.hash}) as run ${runId}\nnext: buran run --run ${runId}`);
      io.exit(EXIT.ok);
    });

  registerRun(program, io);

  program
    .command('status')
    .description('Without --run: one line per run. With --run: stage, current task, blocker, next safe action, tasks.')
    .option('--run <id>', 'run id', runIdOption)
    .option('--json', 'print the status JSON (schema: buran schema status)')
    .option('--exit-status', "with --run: exit by the run's state (0 handoff-ready, 3 blocked or failed, 4 otherwise) instead of 0")
    .addHelpText('after', '\nExamples:\n  buran status\n  buran status --run add-greeting-xyz --json\n  buran status --run add-greeting-xyz --exit-status || echo "not handed off"')
    .action(async (opts: { run?: string; json?: boolean; exitStatus?: boolean }) => {
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
      const setup = await setupOf(project, view, events);
      const status = statusJson(view, events.at(-1)?.ts ?? null, project.store.runDir(runId), Date.now, await readSandboxRecord(project.store.runDir(runId)), driver, setup);
      if (opts.json === true) io.out(JSON.stringify(status));
      else for (const line of statusLines(status, (await viewExtras(project, view)).reasons)) io.out(line);
      io.exit(opts.exitStatus === true ? exitForStatus(status.status) : EXIT.ok);
    });

  program
    .command('report')
    .description('The handoff / progress report of a run.')
    .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
    .option('--format <format>', 'md or json', 'md')
    .option('--json', 'the report as JSON (same as --format json)')
    .addHelpText('after', '\nExample:\n  buran report --run add-greeting-xyz --json')
    .action(async (opts: { run?: string; format: string; json?: boolean }) => {
      if (opts.format !== 'md' && opts.format !== 'json') throw new BuranError({ code: 'invalid_input', message: `--format must be md or json, not ${opts.format}`, details: {} });
      const format = opts.json === true ? 'json' : opts.format;
      const project = await openProject({ cwd: process.cwd() });
      const runId = await chooseRun(project, opts.run, io);
      const view = await project.runner.inspect(runId);
      // A tampered record or a moved handoff branch is reported (blocked), not repaired; report exits 0 whatever the run's status.
      const report = buildReport(view.snapshot, await project.runner.events(runId), {}, view.tampered ?? view.handoffMoved, await readSandboxRecord(project.store.runDir(runId)), await viewExtras(project, view));
      io.out(format === 'json' ? JSON.stringify(report, null, 2) : reportMarkdown(report));
      io.exit(EXIT.ok);
    });

  program
    .command('events')
    .description("A run's event log.")
    .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
    .option('--json', 'NDJSON')
    .option('--follow', 'keep printing new events until the run ends (handoff-ready, cancelled or failed); Ctrl-C to stop sooner')
    .addHelpText('after', '\nExamples:\n  buran events --run add-greeting-xyz --json\n  buran events --run add-greeting-xyz --follow')
    .action(async (opts: { run?: string; json?: boolean; follow?: boolean }) => {
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
    });
}
