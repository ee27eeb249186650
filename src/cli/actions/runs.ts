// What the run commands do (init, approve, run, report, events); their
// definitions are in ../commands/runs.ts. `status` is in ./status.ts.
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BuranError } from '../../domain/errors.js';
import { DEFAULT_CONFIG } from '../../domain/config.js';
import type { EventRecord } from '../../domain/events.js';
import { secretValuesOf } from '../../domain/redact.js';
import { CONFIG_FILE, openProject } from '../../engine/project.js';
import { buildReport, reportMarkdown } from '../../engine/report.js';
import { reasonLines } from '../../engine/reasons.js';
import { reviewsOf } from '../../engine/statusView.js';
import { quorumReviewLines } from '../../engine/reviewViews.js';
import { viewExtras } from '../../engine/viewExtras.js';
import { readSandboxRecord } from '../../engine/sandboxChoice.js';
import { attemptActivity } from '../../worker/activity.js';
import { EXIT } from '../exitCodes.js';
import { eventLine } from '../format.js';
import { interruptLines } from '../interrupt.js';
import type { Io } from '../io.js';
import { type AttemptActivity, type LiveRunState, foldEvent, foldEvents, initialLiveState } from '../liveModel.js';
import { who } from '../options.js';
import { type Progress, liveProgress, wantsColor, wantsLiveProgress } from '../progress.js';
import { chooseRun } from '../runChoice.js';
import { exitForStatus } from '../runExit.js';

/** "webhook: http://host: HTTP 500; command: x: exit 1" from a notify_failed event. */
function notifyFailures(e: EventRecord): string {
  const targets = Array.isArray(e.data['targets']) ? (e.data['targets'] as { target?: unknown; ok?: unknown; error?: unknown }[]) : [];
  return targets.filter((t) => t.ok !== true).map((t) => `${String(t.target)}: ${String(t.error)}`).join('; ');
}

/** Reads what a running attempt of the run shows; an unreadable folder shows nothing rather than stopping the view. */
function attemptActivityReader(runDir: string): (attemptId: string) => AttemptActivity | null {
  const secrets = secretValuesOf(process.env);
  return (attemptId) => {
    try {
      return attemptActivity(join(runDir, 'attempts', attemptId), Date.now, secrets);
    } catch {
      return null;
    }
  };
}

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

export async function runAction(io: Io, opts: { run?: string; step?: boolean; json?: boolean }): Promise<void> {
  const json = opts.json === true;
  // What the live view and the Ctrl-C message know: the run's events folded (not with --json, whose output stays NDJSON).
  let state: LiveRunState | null = null;
  let live: Progress | null = null;
  const onEvent = (e: EventRecord) => {
    if (state !== null) state = foldEvent(state, e);
    // Said on stderr too (also with --json): the run's state and exit code do not change.
    if (e.type === 'notify_failed') io.err(`notification failed (run ${e.runId}, ${String(e.data['status'])}): ${notifyFailures(e)}`);
    if (json) io.out(JSON.stringify(e));
    else if (live !== null) live.changed();
    else io.out(eventLine(e));
  };
  const project = await openProject({ cwd: process.cwd(), onEvent });
  const runId = await chooseRun(project, opts.run, io);
  if (json) {
    const result = await project.runner.drive(runId, { step: opts.step === true });
    io.exit(exitForStatus(result.status));
    return;
  }
  const view = await project.runner.inspect(runId);
  const folded = foldEvents(initialLiveState(runId, view.snapshot.context.tasks.map((t) => t.id)), await project.runner.events(runId));
  state = folded;
  const activity = attemptActivityReader(project.store.runDir(runId));
  if (wantsLiveProgress(process.stdout, process.env)) {
    live = liveProgress({
      terminal: { write: (t) => process.stdout.write(t), columns: () => process.stdout.columns, rows: () => process.stdout.rows },
      state: () => state ?? folded,
      activity,
      color: wantsColor(process.env),
    });
  }
  const onResize = () => live?.redraw();
  // Ctrl-C ends this driver only: say what keeps running and how to come back, then end by SIGINT (exit status 130).
  const onInterrupt = () => {
    live?.stop();
    for (const line of interruptLines(state ?? folded, Date.now(), activity)) io.out(line);
    process.kill(process.pid, 'SIGINT');
  };
  process.stdout.on('resize', onResize);
  process.once('SIGINT', onInterrupt);
  const result = await project.runner.drive(runId, { step: opts.step === true }).finally(() => {
    live?.stop();
    process.stdout.off('resize', onResize);
    process.off('SIGINT', onInterrupt);
  });
  io.out(`run ${runId}: ${result.status} (${result.stage})`);
  if (result.blocker !== null) io.out(`blocked: ${result.blocker.code}: ${result.blocker.message}`);
  for (const line of reasonLines((await viewExtras(project, result)).reasons, '')) io.out(line);
  for (const review of reviewsOf(result)) for (const line of quorumReviewLines(review)) io.out(line);
  io.out(`next: ${result.nextSafeAction.text}${result.nextSafeAction.command === null ? '' : `\n  ${result.nextSafeAction.command}`}`);
  io.exit(exitForStatus(result.status));
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
