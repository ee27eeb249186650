import { lastLines } from './outputTail.js';
import type { CommandEvidence, EvidenceRef, Finding, GateResult } from '../domain/gates.js';
import { type SandboxPlan, absolutePath, confineArgv } from '../sandbox/index.js';
import { allowlistedEnv, runCommand } from './runCommand.js';
import { delimiter, resolve } from 'node:path';
import { DEFAULT_SEARCH_PATH, findOnPath, isExecutableFile } from '../worker/findExecutable.js';

export interface VerificationRequest {
  /** The packet's verify commands: argv arrays, run in order without a shell. */
  readonly commands: readonly (readonly string[])[];
  /** Worktree the commands run in. */
  readonly cwd: string;
  /** Names of the variables the commands may see (config `env.allowlist`). */
  readonly envAllowlist: readonly string[];
  /** Where allowlisted values come from. Default: this process's environment. */
  readonly envSource?: Readonly<Record<string, string | undefined>>;
  readonly subject: GateResult['subject'];
  readonly taskId?: string;
  readonly epoch: number;
  /** Per-command wall-clock bound, milliseconds. */
  readonly timeoutMs: number;
  readonly graceMs?: number;
  readonly tailBytes?: number;
  /** Stores one piece of evidence (JSON text) and returns its `sha256:` content hash. */
  readonly putEvidence: (text: string) => Promise<string>;
  /** How the commands are confined (they run code the worker wrote); omit to run them unconfined. */
  readonly sandbox?: SandboxPlan;
}

/** Whether `program` names an executable file, found the way the process would find it (a path, or a name on PATH). */
async function startable(program: string | undefined, path: string | undefined, cwd: string): Promise<boolean> {
  if (program === undefined || program === '') return false;
  if (program.includes('/')) return isExecutableFile(resolve(cwd, program));
  return (await findOnPath(program, (path ?? DEFAULT_SEARCH_PATH).split(delimiter).filter((dir) => dir !== ''), cwd)) !== null;
}

/** Lines of each tail quoted in a finding. */
const QUOTED_LINES = 15;

/** What a command's evidence means for the gate. */
export function commandVerdict(evidence: CommandEvidence): 'PASS' | 'FAIL' | 'BLOCKED' {
  if (evidence.timedOut) return 'BLOCKED';
  if (evidence.exitCode === 0) return 'PASS';
  // Ran and failed (non-zero exit, or killed by a signal it did not get from us).
  if (evidence.exitCode !== null || (evidence.error?.startsWith('killed by') ?? false)) return 'FAIL';
  return 'BLOCKED';
}


/** The stderr and stdout tails of a command, last lines of each, for a finding or a blocker message (empty tails left out). */
export function quotedTails(evidence: CommandEvidence): string[] {
  return [
    evidence.stderrTail.trim() === '' ? null : `stderr (last lines):\n${lastLines(evidence.stderrTail, QUOTED_LINES)}`,
    evidence.stdoutTail.trim() === '' ? null : `stdout (last lines):\n${lastLines(evidence.stdoutTail, QUOTED_LINES)}`,
  ].filter((part): part is string => part !== null);
}

/**
 * The argv to start for a command under the plan. A program that is not there is left to fail to start as
 * itself (could not run), not as a sandbox that exits 1 (a failure).
 */
async function launchFor(argv: readonly string[], cwd: string, env: Readonly<Record<string, string>>, sandbox: SandboxPlan | undefined): Promise<readonly string[]> {
  return (await startable(argv[0], env['PATH'], cwd)) ? confineArgv(sandbox, argv, { workdir: cwd, env }) : argv;
}

/**
 * The environment of a command buran runs in a worktree (verification, setup): only the
 * allowlisted variables, and PATH without relative folders — a relative one would let the
 * worktree (the worker's files) supply the tools that judge it.
 */
export function worktreeCommandEnv(allowlist: readonly string[], source?: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env = allowlistedEnv(allowlist, source);
  const path = absolutePath(env['PATH']);
  if (path !== undefined) env['PATH'] = path;
  return env;
}

/** One command in a worktree, confined by the plan like everything buran runs on the worker's behalf. */
export async function runWorktreeCommand(
  argv: readonly string[],
  o: { readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly sandbox: SandboxPlan | undefined; readonly timeoutMs: number; readonly graceMs?: number; readonly tailBytes?: number },
): Promise<CommandEvidence> {
  return runCommand(argv, {
    cwd: o.cwd,
    env: o.env,
    launch: await launchFor(argv, o.cwd, o.env, o.sandbox),
    timeoutMs: o.timeoutMs,
    ...(o.graceMs === undefined ? {} : { graceMs: o.graceMs }),
    ...(o.tailBytes === undefined ? {} : { tailBytes: o.tailBytes }),
  });
}

function describe(evidence: CommandEvidence): string {
  return JSON.stringify(evidence.argv);
}

/** The finding for one command that did not pass. */
export function commandFinding(evidence: CommandEvidence, taskId?: string): Finding {
  const verdict = commandVerdict(evidence);
  const head =
    verdict === 'FAIL'
      ? `verification command ${describe(evidence)} failed (${evidence.exitCode === null ? (evidence.error ?? 'killed') : `exit code ${evidence.exitCode}`})`
      : `verification command ${describe(evidence)} could not run: ${evidence.error ?? 'unknown reason'}`;
  const quoted = quotedTails(evidence);
  return {
    message: [head, ...quoted].join('\n'),
    severity: 'error',
    rule: verdict === 'FAIL' ? 'verification_failed' : evidence.timedOut ? 'verification_timeout' : 'verification_could_not_run',
    ...(taskId === undefined ? {} : { taskId }),
  };
}

/** Gate verdict from the commands' evidence: any BLOCKED wins, then any FAIL; no commands is BLOCKED. Pure. */
export function verificationVerdict(evidence: readonly CommandEvidence[]): GateResult['status'] {
  if (evidence.length === 0) return 'BLOCKED';
  const verdicts = evidence.map(commandVerdict);
  if (verdicts.includes('BLOCKED')) return 'BLOCKED';
  return verdicts.includes('FAIL') ? 'FAIL' : 'PASS';
}

/**
 * The verification gate: runs every verify command in the worktree and
 * returns a GateResult with one evidence reference per command. PASS when all
 * exit 0; FAIL (with a finding per failing command) when any exits non-zero;
 * BLOCKED when any could not start or timed out, or when there is nothing to
 * run — the check did not happen, which is never a pass. Command failures are
 * results; only a failing `putEvidence` rejects.
 *
 * @example
 * const gate = await runVerification({ commands: [['npm', 'test']], cwd: worktree, envAllowlist: ['PATH', 'HOME'],
 *   subject: 'task', taskId: 'api', epoch: 1, timeoutMs: 600_000, putEvidence: store.putArtifact });
 */
export async function runVerification(request: VerificationRequest): Promise<GateResult> {
  const env = worktreeCommandEnv(request.envAllowlist, request.envSource);
  const all: CommandEvidence[] = [];
  const refs: EvidenceRef[] = [];
  for (const [index, argv] of request.commands.entries()) {
    const evidence = await runWorktreeCommand(argv, {
      cwd: request.cwd,
      env,
      sandbox: request.sandbox,
      timeoutMs: request.timeoutMs,
      ...(request.graceMs === undefined ? {} : { graceMs: request.graceMs }),
      ...(request.tailBytes === undefined ? {} : { tailBytes: request.tailBytes }),
    });
    all.push(evidence);
    const hash = await request.putEvidence(JSON.stringify(evidence));
    refs.push({ kind: 'command', hash, label: `verify[${index}] ${argv.join(' ')}`.slice(0, 200) });
  }
  const status = verificationVerdict(all);
  const notPassed = all.filter((evidence) => commandVerdict(evidence) !== 'PASS');
  const summary =
    all.length === 0
      ? 'no verification commands: nothing was checked'
      : status === 'PASS'
        ? `all ${all.length} verification command(s) exited 0`
        : `${notPassed.length} of ${all.length} verification command(s) ${status === 'FAIL' ? 'failed' : 'did not pass; at least one could not run or timed out'}`;
  return {
    gate: 'verification',
    subject: request.subject,
    ...(request.taskId === undefined ? {} : { taskId: request.taskId }),
    epoch: request.epoch,
    status,
    summary,
    findings: all.length === 0 ? [{ message: summary, severity: 'error', rule: 'verification_missing' }] : notPassed.map((e) => commandFinding(e, request.taskId)),
    policyViolations: [],
    evidence: refs,
  };
}
