// The packet's setup as `status` shows it: every setup the log recorded in the
// run and task worktrees, and every setup a verification checkout ran (the
// first commands of its gate's evidence), each command with its exit code,
// duration and the end of its output (from its stored evidence, redacted).
import type { EventRecord } from '../domain/events.js';
import type { CommandEvidence, GateRecord } from '../domain/gates.js';
import type { SetupRecord } from '../domain/setup.js';
import { lastLines } from '../gates/outputTail.js';
import { REASON_TAIL_LINES, type ReasonSources, readCommandEvidence } from './reasons.js';
import { taskSnapshot } from './report.js';
import type { RunView } from './runView.js';
import type { Project } from './project.js';
import { redactorOf } from './redactResults.js';
import { secretValuesOf } from '../domain/redact.js';

/** Lines of output kept per setup command in status. */
export const SETUP_TAIL_LINES = REASON_TAIL_LINES;

export interface SetupCommandView {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Milliseconds. */
  readonly durationMs: number;
  /** Why it could not run or was stopped, when it was. */
  readonly error: string | null;
  /** The last lines of its stderr then stdout, redacted ('' when it printed nothing or its evidence is missing). */
  readonly outputTail: string;
}

export interface SetupView {
  /** `run` (the run worktree), `task` (a task worktree) or `verification` (a fresh checkout a gate ran in). */
  readonly place: 'run' | 'task' | 'verification';
  /** As recorded: `run`, `task <id>`, or for a checkout `verify task <id>` / `verify integration`. */
  readonly where: string;
  readonly taskId: string | null;
  /** The epoch of the verification it ran for (null for worktrees: the log's order tells). */
  readonly epoch: number | null;
  /** `reused`: setup had passed in this worktree for this epoch, nothing ran again. */
  readonly status: 'ok' | 'failed' | 'reused';
  readonly commands: readonly SetupCommandView[];
}

const isSetupRecord = (value: unknown): value is SetupRecord =>
  typeof value === 'object' && value !== null && typeof (value as { where?: unknown }).where === 'string' && Array.isArray((value as { commands?: unknown }).commands);

const SETUP_LABEL = /^setup\[\d+\] /;

const outputTailOf = (evidence: CommandEvidence, redact: (text: string) => string): string =>
  redact(lastLines([evidence.stderrTail, evidence.stdoutTail].filter((t) => t.trim() !== '').join('\n'), SETUP_TAIL_LINES));

/** Every setup of a run, in the order of the log (worktrees), then per verification gate. */
export async function gatherSetup(view: Pick<RunView, 'snapshot'>, events: readonly EventRecord[], src: Pick<ReasonSources, 'runId' | 'getArtifact' | 'redact'>): Promise<SetupView[]> {
  const tailOf = async (hash: string): Promise<string> => {
    const evidence = await readCommandEvidence(src, hash);
    return evidence === null ? '' : outputTailOf(evidence, src.redact);
  };
  const out: SetupView[] = [];
  for (const e of events) {
    const record = e.data['setup'];
    if (!isSetupRecord(record)) continue;
    const commands = await Promise.all(
      record.commands.map(async (c) => ({
        argv: c.argv.map(src.redact),
        exitCode: c.exitCode,
        timedOut: c.timedOut,
        durationMs: c.durationMs,
        error: c.error === undefined ? null : src.redact(c.error),
        // A reused record's commands ran in an earlier session: their tails are in the same evidence.
        outputTail: await tailOf(c.evidence),
      })),
    );
    out.push({ place: record.where === 'run' ? 'run' : 'task', where: record.where, taskId: e.taskId ?? null, epoch: null, status: record.status, commands });
  }
  const c = view.snapshot.context;
  const gates: { taskId: string | null; record: GateRecord }[] = [];
  for (const t of c.tasks) {
    const child = taskSnapshot((view.snapshot.children as Readonly<Record<string, unknown>>)[`task:${t.id}`]);
    if (child !== null) gates.push(...child.context.gates.map((record) => ({ taskId: t.id, record })));
  }
  gates.push(...c.gates.map((record) => ({ taskId: null, record })));
  for (const { taskId, record } of gates) {
    if (record.gate !== 'verification') continue;
    const refs = record.evidence.filter((r) => r.kind === 'command' && SETUP_LABEL.test(r.label));
    if (refs.length === 0) continue;
    const commands: SetupCommandView[] = [];
    for (const ref of refs) {
      const evidence = await readCommandEvidence(src, ref.hash);
      commands.push({
        argv: evidence === null ? [src.redact(ref.label.replace(SETUP_LABEL, ''))] : evidence.argv.map(src.redact),
        exitCode: evidence?.exitCode ?? null,
        timedOut: evidence?.timedOut ?? false,
        durationMs: evidence?.durationMs ?? 0,
        error: evidence === null ? 'its evidence is missing from the run store' : evidence.error === undefined ? null : src.redact(evidence.error),
        outputTail: evidence === null ? '' : outputTailOf(evidence, src.redact),
      });
    }
    const failed = commands.some((x) => x.exitCode !== 0 || x.timedOut || x.error !== null);
    out.push({ place: 'verification', where: taskId === null ? 'verify integration' : `verify task ${taskId}`, taskId, epoch: record.epoch, status: failed ? 'failed' : 'ok', commands });
  }
  return out;
}

/** `gatherSetup` over a project's store, every text redacted with this process's secrets. */
export function setupOf(project: Pick<Project, 'store'>, view: RunView, events: readonly EventRecord[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<SetupView[]> {
  return gatherSetup(view, events, { runId: view.runId, getArtifact: (runId, hash) => project.store.getArtifact(runId, hash), redact: redactorOf(secretValuesOf(env)) });
}
