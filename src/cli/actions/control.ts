// What the operator commands do (pause, resume, cancel, unblock, decide); their
// definitions are in ../commands/control.ts.
import type { OperatorDecision } from '../../domain/decisions.js';
import { BuranError } from '../../domain/errors.js';
import type { OperatorEvent } from '../../engine/inbox.js';
import { openProject } from '../../engine/project.js';
import type { RunStatus } from '../../engine/runStatus.js';
import type { HookFailure } from '../../engine/runView.js';
import { EXIT } from '../exitCodes.js';
import { hookFailureLines } from '../format.js';
import type { Io } from '../io.js';
import { who } from '../options.js';
import { chooseRun } from '../runChoice.js';

/** What an operator command did: applied (with the run's status after it) or queued for the process driving the run. */
interface Applied {
  readonly runId: string;
  readonly status: RunStatus | null;
  readonly stage: string | null;
  readonly queued: string | null;
  /** Final-state hooks of this command that failed (a cancel of queued attempts Redis did not confirm). */
  readonly hookFailures: readonly HookFailure[];
  /** Hooks a cancel repeated on a cancelled run asked again and that succeeded this time. */
  readonly hooksConfirmed: readonly string[];
}

/**
 * Apply a command; when another process drives the run, wait (up to 10 s) for
 * it to take the command. Exit 0 when it was applied (a refused command throws
 * and exits 2), 4 when it is still queued for the driving process, 3 when it was
 * applied and a hook it ran failed (the workers' cancel was not confirmed). A
 * cancel of a cancelled run whose cancel was not confirmed asks it again.
 */
async function apply(runOption: string | undefined, event: (runId: string) => OperatorEvent, io: Io, json: boolean): Promise<Applied> {
  const project = await openProject({ cwd: process.cwd() });
  const runId = await chooseRun(project, runOption, io);
  const say = (a: Applied, text: string) => {
    io.out(json ? JSON.stringify(a) : text);
    if (!json) for (const hook of a.hooksConfirmed) io.out(`confirmed: ${hook} (asked again)`);
    if (!json) for (const line of hookFailureLines(a.hookFailures)) io.err(line);
    io.exit(a.queued !== null ? EXIT.waiting : a.hookFailures.length > 0 ? EXIT.blocked : EXIT.ok);
    return a;
  };
  const result = await project.runner.command(runId, event(runId));
  const type = event(runId).type;
  if (!('queued' in result)) return say({ runId, status: result.status, stage: result.stage, queued: null, hookFailures: result.hookFailures, hooksConfirmed: result.hooksConfirmed }, `run ${runId}: ${result.status} (${result.stage})`);
  for (let waited = 0; waited < 10_000 && (await project.runner.commandPending(runId, result.commandId)); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (await project.runner.commandPending(runId, result.commandId)) {
    return say({ runId, status: null, stage: null, queued: result.commandId, hookFailures: [], hooksConfirmed: [] }, `run ${runId} is being driven by another process; ${type} is queued for it (command ${result.commandId})`);
  }
  await new Promise((r) => setTimeout(r, 300));
  const view = await project.runner.inspect(runId);
  return say({ runId, status: view.status, stage: view.stage, queued: null, hookFailures: [], hooksConfirmed: [] }, `run ${runId}: ${view.status} (${view.stage}) — ${type} delivered to the driving process`);
}

/** pause, resume or cancel: the chart event of the command. */
export async function simpleAction(io: Io, type: 'PAUSE' | 'RESUME' | 'CANCEL', opts: { run?: string; by?: string; reason: string; json?: boolean }): Promise<void> {
  await apply(opts.run, () => ({ type, by: who(opts.by), reason: opts.reason }), io, opts.json === true);
}

export async function unblockAction(io: Io, opts: { run?: string; decision: OperatorDecision; by?: string; reason: string; json?: boolean }): Promise<void> {
  const done = await apply(opts.run, () => ({ type: 'UNBLOCK', decision: opts.decision, by: who(opts.by), reason: opts.reason }), io, opts.json === true);
  if (done.status === 'running' && opts.json !== true) io.out(`next: buran run --run ${done.runId}`);
}

/** A person's verdict on the approval gate a run waits for: exactly one of --approve and --reject, with who and why. */
export async function decideAction(io: Io, opts: { run?: string; gate: string; approve?: boolean; reject?: boolean; by: string; reason: string; json?: boolean }): Promise<void> {
  if ((opts.approve === true) === (opts.reject === true)) {
    throw new BuranError({
      code: 'invalid_input',
      message: `buran decide: give exactly one of --approve and --reject (got ${opts.approve === true ? 'both' : 'neither'})`,
      details: { gate: opts.gate },
      nextSafeAction: { text: 'Say whether the change passes the gate.', command: `buran decide --gate ${opts.gate} --approve --by ${opts.by} --reason "<why>"` },
    });
  }
  if (opts.by.trim() === '' || opts.reason.trim() === '') {
    throw new BuranError({ code: 'invalid_input', message: 'buran decide: --by and --reason must not be blank (the decision records who decided and why)', details: { gate: opts.gate } });
  }
  const verdict = opts.approve === true ? 'approve' : 'reject';
  const done = await apply(opts.run, () => ({ type: 'DECIDE', gate: opts.gate, verdict, by: opts.by, reason: opts.reason }), io, opts.json === true);
  if (done.status === 'running' && opts.json !== true) io.out(`next: buran run --run ${done.runId}`);
}
