// Why a run is where it is, in the words of its evidence: the blocker's
// findings, each verification command that failed (with the end of its
// output), and each worker attempt that ended without a usable completion
// (with the end of its stderr and the folder of its logs). Gathered once at
// the edge (artifacts, attempt folders), shown by `status`, `report` and `run`.
import { join } from 'node:path';
import type { RunContext } from '../../machines/run.types.js';
import type { Blocker } from '../domain/blockers.js';
import { CommandEvidenceSchema, FindingSchema, type GateRecord } from '../domain/gates.js';
import { lastLines } from '../gates/outputTail.js';
import { ATTEMPT_FILES } from '../worker/attemptFiles.js';
import { tail } from '../worker/tail.js';
import { taskSnapshot } from './report.js';

/** Lines of output kept per failed command or worker stderr. */
export const REASON_TAIL_LINES = 12;
const TAIL_BYTES = 4096;

export interface ReasonFinding {
  readonly taskId: string | null;
  readonly rule: string | null;
  readonly file: string | null;
  readonly line: number | null;
  readonly message: string;
  /** A policy violation (never fixed by a retry), not a finding a fix round can answer. */
  readonly policy: boolean;
}

export interface FailedCommand {
  readonly subject: 'task' | 'integration';
  readonly taskId: string | null;
  readonly epoch: number;
  readonly status: 'FAIL' | 'BLOCKED';
  readonly command: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Why it could not run, when it could not. */
  readonly error: string | null;
  /** The last lines of its stderr then stdout, redacted. */
  readonly outputTail: string;
}

export interface WorkerLog {
  readonly taskId: string;
  readonly attemptId: string;
  readonly outcome: string;
  readonly summary: string;
  /** The attempt folder: prompt.md, stdout.log, stderr.log, exit.json, out/. */
  readonly folder: string;
  /** The last lines of stderr.log, redacted ('' when it printed nothing). */
  readonly stderrTail: string;
}

export interface Reasons {
  readonly findings: readonly ReasonFinding[];
  readonly failedCommands: readonly FailedCommand[];
  readonly workerLogs: readonly WorkerLog[];
}

export const NO_REASONS: Reasons = { findings: [], failedCommands: [], workerLogs: [] };

interface SnapshotLike {
  readonly context: RunContext;
  readonly children: Readonly<Record<string, unknown>>;
}

/** Where gathering reads: the run's artifacts and its folder. */
export interface ReasonSources {
  readonly runId: string;
  readonly getArtifact: (runId: string, hash: string) => Promise<Uint8Array>;
  /** The run folder (attempts live in `<runDir>/attempts/<attemptId>`); null: no attempt logs (in-memory runs). */
  readonly runDir: string | null;
  /** Applied to every text shown (secrets, control characters). */
  readonly redact: (text: string) => string;
}

/** The findings in a blocker's details (gate blockers carry them), policy violations first. Pure. */
export function blockerFindings(blocker: Blocker | null, redact: (text: string) => string = (t) => t): ReasonFinding[] {
  if (blocker === null) return [];
  const read = (value: unknown, policy: boolean): ReasonFinding[] =>
    (Array.isArray(value) ? value : []).flatMap((f) => {
      const parsed = FindingSchema.safeParse(f);
      if (!parsed.success) return [];
      const x = parsed.data;
      return [{ taskId: x.taskId ?? null, rule: x.rule ?? null, file: x.file === undefined ? null : redact(x.file), line: x.line ?? null, message: redact(x.message), policy }];
    });
  return [...read(blocker.details['policyViolations'], true), ...read(blocker.details['findings'], false)];
}

const FAILED_OUTCOMES = new Set(['failed', 'blocked', 'invalid', 'missing', 'timeout', 'violation']);

/** The reasons of a run: its blocker's findings, its failed verification commands and its failed worker attempts. */
export async function gatherReasons(snap: SnapshotLike, blocker: Blocker | null, src: ReasonSources): Promise<Reasons> {
  const c = snap.context;
  const gates: { subject: 'task' | 'integration'; taskId: string | null; record: GateRecord }[] = c.gates.map((record) => ({ subject: 'integration', taskId: null, record }));
  const workerLogs: WorkerLog[] = [];
  for (const t of c.tasks) {
    const child = taskSnapshot(snap.children[`task:${t.id}`]);
    if (child === null) continue;
    gates.unshift(...child.context.gates.map((record) => ({ subject: 'task' as const, taskId: t.id, record })));
    for (const e of child.context.history) {
      if (e.kind !== 'outcome' || !FAILED_OUTCOMES.has(e.outcome) || src.runDir === null) continue;
      const folder = join(src.runDir, 'attempts', e.attemptId);
      workerLogs.push({
        taskId: t.id,
        attemptId: e.attemptId,
        outcome: e.outcome,
        summary: src.redact(e.summary),
        folder,
        stderrTail: src.redact(lastLines(tail(join(folder, ATTEMPT_FILES.stderr), TAIL_BYTES), REASON_TAIL_LINES)),
      });
    }
  }
  const failedCommands: FailedCommand[] = [];
  for (const { subject, taskId, record } of gates) {
    if (record.gate !== 'verification' || record.status === 'PASS') continue;
    for (const ref of record.evidence) {
      if (ref.kind !== 'command') continue;
      const evidence = await readCommandEvidence(src, ref.hash);
      if (evidence === null || (evidence.exitCode === 0 && !evidence.timedOut && evidence.error === undefined)) continue;
      const output = [evidence.stderrTail, evidence.stdoutTail].filter((t) => t.trim() !== '').join('\n');
      failedCommands.push({
        subject,
        taskId,
        epoch: record.epoch,
        status: record.status,
        command: src.redact(evidence.argv.join(' ')),
        exitCode: evidence.exitCode,
        timedOut: evidence.timedOut,
        error: evidence.error === undefined ? null : src.redact(evidence.error),
        outputTail: src.redact(lastLines(output, REASON_TAIL_LINES)),
      });
    }
  }
  return { findings: blockerFindings(blocker, src.redact), failedCommands, workerLogs };
}

/** A stored command evidence, or null when it is not one (a missing artifact is a store problem the views report elsewhere). */
export async function readCommandEvidence(src: Pick<ReasonSources, 'runId' | 'getArtifact'>, hash: string) {
  let text: string;
  try {
    text = new TextDecoder().decode(await src.getArtifact(src.runId, hash));
  } catch {
    return null;
  }
  try {
    const parsed = CommandEvidenceSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const indent = (text: string, pad: string) => text.split('\n').map((l) => `${pad}${l}`).join('\n');

/** What a finding says, on one line: `file:line [rule] message` (task first when known). */
export function findingLine(f: ReasonFinding): string {
  const where = f.file === null ? '' : `${f.file}${f.line === null ? '' : `:${f.line}`} `;
  const rule = f.rule === null ? '' : `[${f.rule}${f.policy ? ', policy' : ''}] `;
  return `${f.taskId === null ? '' : `${f.taskId}: `}${where}${rule}${f.message.split('\n')[0] ?? ''}`;
}

export function commandHead(f: FailedCommand): string {
  const how = f.error !== null ? `could not run: ${f.error}` : f.timedOut ? 'timed out' : `exit ${f.exitCode ?? 'killed'}`;
  return `${f.subject === 'integration' ? 'integration' : `task ${f.taskId ?? ''}`} epoch ${f.epoch}: ${f.command} (${how})`;
}

export function workerHead(w: WorkerLog): string {
  return `task ${w.taskId} ${w.attemptId} ${w.outcome}: ${w.summary.split('\n')[0] ?? ''}`;
}

/** Plain-text lines for `status` and `run`, indented by `pad`. Empty when there is nothing to say. */
export function reasonLines(r: Reasons, pad = '  '): string[] {
  const lines: string[] = [];
  if (r.findings.length > 0) {
    lines.push(`${pad}findings:`);
    for (const f of r.findings) lines.push(`${pad}  - ${findingLine(f)}`);
  }
  for (const f of r.failedCommands) {
    lines.push(`${pad}verification ${f.status}: ${commandHead(f)}`);
    if (f.outputTail !== '') lines.push(indent(f.outputTail, `${pad}  | `));
  }
  for (const w of r.workerLogs) {
    lines.push(`${pad}worker ${workerHead(w)}`);
    if (w.stderrTail !== '') lines.push(`${pad}  stderr (last lines):`, indent(w.stderrTail, `${pad}  | `));
    lines.push(`${pad}  logs: ${w.folder}`);
  }
  return lines;
}
