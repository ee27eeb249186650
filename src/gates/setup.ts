// The packet's setup commands: run in order, without a shell, in a fresh
// worktree or checkout, confined like verification commands (the worktree is
// writable), with BURAN_REPO_ROOT naming the user's checkout. The first
// command that does not exit 0 stops setup; its output tail explains why.
import type { CommandEvidence, EvidenceRef, GateResult } from '../domain/gates.js';
import { SETUP_FAILED_RULE, type SetupCommandRecord, type SetupRecord } from '../domain/setup.js';
import type { SandboxPlan } from '../sandbox/index.js';
import { commandVerdict, quotedTails, runWorktreeCommand, worktreeCommandEnv } from './verification.js';

/** The variable every setup command gets: the absolute path of the user's checkout. */
export const REPO_ROOT_VARIABLE = 'BURAN_REPO_ROOT';

export interface SetupRequest {
  /** The packet's setup commands (argv arrays); none is a no-op that passes. */
  readonly commands: readonly (readonly string[])[];
  /** Where setup runs: `task <id>`, `run`, `verify <name>` (for records and messages). */
  readonly where: string;
  /** The worktree or checkout the commands run in (writable to them). */
  readonly cwd: string;
  /** The user's checkout, absolute: given as BURAN_REPO_ROOT. */
  readonly repoRoot: string;
  readonly envAllowlist: readonly string[];
  readonly envSource?: Readonly<Record<string, string | undefined>>;
  /** Per-command wall-clock bound, milliseconds. */
  readonly timeoutMs: number;
  readonly graceMs?: number;
  /** Stores one piece of evidence (JSON text, redacted by the caller) and returns its `sha256:` hash. */
  readonly putEvidence: (text: string) => Promise<string>;
  readonly sandbox?: SandboxPlan;
}

export interface SetupResult {
  readonly record: SetupRecord;
  /** The command that failed, could not start or timed out; null when setup passed. */
  readonly failed: CommandEvidence | null;
}

/**
 * Runs the setup commands in `cwd`; never throws for a command's own failure
 * (only a failing `putEvidence` rejects).
 * @example
 * const { record, failed } = await runSetup({ commands: [['npm', 'ci', '--offline']], where: 'task api', cwd, repoRoot, envAllowlist: ['PATH', 'HOME'], timeoutMs: 600_000, putEvidence });
 */
export async function runSetup(request: SetupRequest): Promise<SetupResult> {
  const env = worktreeCommandEnv(request.envAllowlist, request.envSource);
  env[REPO_ROOT_VARIABLE] = request.repoRoot;
  const commands: SetupCommandRecord[] = [];
  for (const argv of request.commands) {
    const evidence = await runWorktreeCommand(argv, {
      cwd: request.cwd,
      env,
      sandbox: request.sandbox,
      timeoutMs: request.timeoutMs,
      ...(request.graceMs === undefined ? {} : { graceMs: request.graceMs }),
    });
    const hash = await request.putEvidence(JSON.stringify(evidence));
    commands.push({
      argv: evidence.argv,
      exitCode: evidence.exitCode,
      timedOut: evidence.timedOut,
      durationMs: evidence.durationMs,
      evidence: hash,
      ...(evidence.error === undefined ? {} : { error: evidence.error }),
    });
    if (commandVerdict(evidence) !== 'PASS') return { record: { where: request.where, status: 'failed', commands }, failed: evidence };
  }
  return { record: { where: request.where, status: 'ok', commands }, failed: null };
}

/** The setup commands as a verification gate's evidence (`setup[<i>] <argv>`), listed before its own. Pure. */
export function setupEvidenceRefs(record: SetupRecord): EvidenceRef[] {
  return record.commands.map((c, i) => ({ kind: 'command' as const, hash: c.evidence, label: `setup[${i}] ${c.argv.join(' ')}`.slice(0, 200) }));
}

/** Why setup failed, with the command and its output tail: the blocker's message. Pure. */
export function setupFailureMessage(where: string, failed: CommandEvidence): string {
  const why = failed.timedOut
    ? (failed.error ?? 'timed out')
    : failed.exitCode !== null
      ? `exit code ${failed.exitCode}`
      : `could not run: ${failed.error ?? 'unknown reason'}`;
  return [`setup command ${JSON.stringify(failed.argv)} failed in ${where} (${why})`, ...quotedTails(failed)].join('\n');
}

/** Details of a setup_failed blocker. Pure. */
export function setupFailureDetails(result: SetupResult): Record<string, unknown> {
  const failed = result.failed;
  return {
    where: result.record.where,
    setup: result.record,
    ...(failed === null ? {} : { command: failed.argv, exitCode: failed.exitCode, timedOut: failed.timedOut, stdoutTail: failed.stdoutTail, stderrTail: failed.stderrTail }),
  };
}

/**
 * The verification gate when setup failed in its checkout: BLOCKED (nothing was
 * verified) with one `setup_failed` finding, which the charts turn into the
 * setup_failed blocker. Evidence: the setup commands that ran. Pure.
 */
export function setupBlockedGate(result: SetupResult, gate: Pick<GateResult, 'subject' | 'epoch'> & { readonly taskId?: string }): GateResult {
  const failed = result.failed;
  const message = failed === null ? `setup did not pass in ${result.record.where}` : setupFailureMessage(result.record.where, failed);
  return {
    gate: 'verification',
    subject: gate.subject,
    ...(gate.taskId === undefined ? {} : { taskId: gate.taskId }),
    epoch: gate.epoch,
    status: 'BLOCKED',
    summary: `setup failed in ${result.record.where}: verification did not run`,
    findings: [{ message, severity: 'error', rule: SETUP_FAILED_RULE, ...(gate.taskId === undefined ? {} : { taskId: gate.taskId }) }],
    policyViolations: [],
    evidence: setupEvidenceRefs(result.record),
  };
}
