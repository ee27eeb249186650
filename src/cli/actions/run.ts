// `buran run`: drive a run, with the live view on a terminal (NDJSON with
// --json, one line per event otherwise). A signal (Ctrl-C, SIGTERM, SIGHUP)
// stops the driver cleanly — writes drained, lock released, workers left to
// their supervisors — within a bound, restores the terminal, says what keeps
// running and how to come back, and ends the process by that signal.
import { chooseRun } from '../runChoice.js';
import { openProject } from '../../engine/project.js';
import type { DriveResult } from '../../engine/runner.js';
import { reasonLines } from '../../engine/reasons.js';
import { reviewsOf } from '../../engine/statusView.js';
import { quorumReviewLines } from '../../engine/reviewViews.js';
import { viewExtras } from '../../engine/viewExtras.js';
import type { EventRecord } from '../../domain/events.js';
import { eventLine, hookFailureLines } from '../format.js';
import { type StopOutcome, interruptLines } from '../interrupt.js';
import { type AttemptActivity, type LiveRunState, foldEvent, foldEvents, initialLiveState } from '../liveModel.js';
import { type Progress, liveProgress, wantsColor, wantsLiveProgress } from '../progress.js';
import { CLEAN_STOP_MS, stopOnSignals } from '../stopOnSignal.js';
import { attemptActivity } from '../../worker/activity.js';
import { secretValuesOf } from '../../domain/redact.js';
import type { Io } from '../io.js';
import { exitForStatus } from '../runExit.js';
import { join } from 'node:path';

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

/** A terminal that closed (SIGHUP) fails writes with EIO: that must not stop the clean stop. */
const ignoreClosedTerminal = () => undefined;

export async function runAction(io: Io, opts: { run?: string; step?: boolean; json?: boolean }): Promise<void> {
  const json = opts.json === true;
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
  // What the live view and the interrupt message know: the run's events folded.
  const view = await project.runner.inspect(runId);
  state = foldEvents(initialLiveState(runId, view.snapshot.context.tasks.map((t) => t.id)), await project.runner.events(runId));
  const activity = attemptActivityReader(project.store.runDir(runId));
  if (!json && wantsLiveProgress(process.stdout, process.env)) {
    live = liveProgress({
      terminal: { write: (t) => process.stdout.write(t), columns: () => process.stdout.columns, rows: () => process.stdout.rows },
      state: () => state ?? initialLiveState(runId, []),
      activity,
      color: wantsColor(process.env),
    });
  }
  const onResize = () => live?.redraw();
  process.stdout.on('resize', onResize);
  // The first signal: the terminal is restored at once, then the driver is asked to stop.
  const stop = stopOnSignals({
    boundMs: CLEAN_STOP_MS,
    onFirst: (sig) => {
      if (sig === 'SIGHUP') process.stdout.on('error', ignoreClosedTerminal);
      live?.stop();
    },
  });
  const driving = project.runner.drive(runId, { step: opts.step === true, signal: stop.signal });
  let result: DriveResult | null = null;
  let outcome: StopOutcome = { clean: true };
  try {
    const first = await Promise.race([driving, stop.gaveUp]);
    if (typeof first === 'string') outcome = { clean: false, why: first, boundMs: CLEAN_STOP_MS };
    else result = first;
  } finally {
    live?.stop();
    process.stdout.off('resize', onResize);
    if (stop.received() === null) stop.dispose();
  }
  if (stop.received() !== null) {
    // Interrupted: say what keeps running and how to come back (on stderr with --json, whose stdout stays NDJSON).
    const say = json ? io.err : io.out;
    for (const line of interruptLines(state, Date.now(), activity, outcome)) say(line);
    stop.reraise();
    return;
  }
  if (result === null) return;
  // --json: the events were the output; the exit code says the rest.
  if (json) {
    io.exit(exitForStatus(result.status));
    return;
  }
  io.out(`run ${runId}: ${result.status} (${result.stage})`);
  if (result.blocker !== null) io.out(`blocked: ${result.blocker.code}: ${result.blocker.message}`);
  for (const line of hookFailureLines(result.hookFailures)) io.out(line);
  for (const line of reasonLines((await viewExtras(project, result)).reasons, '')) io.out(line);
  for (const review of reviewsOf(result)) for (const line of quorumReviewLines(review)) io.out(line);
  io.out(`next: ${result.nextSafeAction.text}${result.nextSafeAction.command === null ? '' : `\n  ${result.nextSafeAction.command}`}`);
  io.exit(exitForStatus(result.status));
}
