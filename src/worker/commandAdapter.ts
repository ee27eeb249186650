// The `command` adapter (the embedded default): runs the packet's
// `worker.command` argv, without a shell, in the task's workspace, with an
// allowlisted environment. A completion file is optional: without one the
// exit status decides.
import { isAbsolute, resolve } from 'node:path';
import type { WorkerEnd } from '../../machines/task.types.js';
import type { Config } from '../domain/config.js';
import type { AdapterCheck, AdapterCheckContext, AgentRunResult, AttemptOutput, InvocationContext, WorkerAdapter } from './adapter.js';
import { type CompletionFileState, type ExitInfo, SUPERVISOR_DIED, describeExit, outcomeFromCompletionFile } from './completionFile.js';
import { missingFileArguments } from './commandFiles.js';
import { findOnPath, isExecutableFile, workerSearchDirs } from './findExecutable.js';

/**
 * The name of the `command` adapter in `worker.adapter`.
 * @example
 * createAdapterRegistry([createCommandAdapter()]).resolve(COMMAND_ADAPTER);
 */
export const COMMAND_ADAPTER = 'command';

/** @example createAdapterRegistry([createCommandAdapter()]) */
export function createCommandAdapter(): WorkerAdapter {
  return {
    name: COMMAND_ADAPTER,
    check: checkCommand,
    buildInvocation(ctx) {
      const command = ctx.worker.command;
      if (command === undefined) throw new Error('command adapter: worker.command is required (check() reports this before dispatch)');
      const settings = ctx.config.adapters[COMMAND_ADAPTER];
      return {
        argv: [...command, ...(settings?.extraArgs ?? []), ...(ctx.worker.args ?? [])],
        env: buildWorkerEnv(ctx),
        cwd: ctx.workspace,
      };
    },
    deriveOutcome: deriveCommandOutcome,
    parseResult: commandResult,
  };
}

/**
 * A command's result is what it printed: as a reviewer, its verdict is read
 * from stdout. It reports no usage here (a completion file can carry it);
 * whether it failed is its exit status, judged from the outcome.
 */
export function commandResult(output: AttemptOutput): AgentRunResult {
  return {
    state: 'success',
    message: output.stdoutTail,
    sessionId: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    permissionDenials: [],
    detail: output.stdoutTruncated ? 'the command printed more than its kept tail' : 'the command printed its answer',
    evidence: output.stdoutTail === '' ? null : output.stdoutTail,
  };
}

/** Names a worker of this adapter receives from the runner's environment: env.allowlist plus the adapter's envAllowlist. */
export function allowedEnvNames(config: Config, adapter: string): string[] {
  return [...new Set([...config.env.allowlist, ...(config.adapters[adapter]?.envAllowlist ?? [])])];
}

/**
 * The worker's whole environment: only allowlisted variables from the
 * runner's environment, then the BURAN_* contract (which wins over a
 * same-named inherited variable).
 * @example
 * buildInvocation: (ctx) => ({ argv: ['node', 'my-agent.mjs'], env: buildWorkerEnv(ctx, 'my-agent'), cwd: ctx.workspace })
 */
export function buildWorkerEnv(ctx: InvocationContext, adapter = COMMAND_ADAPTER): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of allowedEnvNames(ctx.config, adapter)) {
    const value = ctx.env[name];
    if (value !== undefined) env[name] = value;
  }
  const model = ctx.worker.model ?? ctx.config.adapters[adapter]?.model;
  return {
    ...env,
    BURAN_RUN_ID: ctx.runId,
    BURAN_TASK_ID: ctx.taskId,
    BURAN_ATTEMPT_ID: ctx.attemptId,
    BURAN_ATTEMPT: String(ctx.attempt),
    BURAN_EPOCH: String(ctx.epoch),
    BURAN_PROMPT_FILE: ctx.promptFile,
    BURAN_COMPLETION_FILE: ctx.completionFile,
    BURAN_WORKSPACE: ctx.workspace,
    ...(model === undefined ? {} : { BURAN_MODEL: model }),
  };
}

async function checkCommand(ctx: AdapterCheckContext): Promise<AdapterCheck> {
  const found = await checkExecutable(ctx);
  if (!found.available || ctx.worker.command === undefined) return found;
  return checkFileArguments(ctx.worker.command, ctx.workspace);
}

/** The files the argv names (an interpreter's script, paths into folders) are there; see `missingFileArguments`. */
async function checkFileArguments(command: readonly string[], workspace: string): Promise<AdapterCheck> {
  const missing = await missingFileArguments(command, workspace);
  const first = missing[0];
  if (first === undefined) return { available: true };
  const what = first.kind === 'script' ? `the script ${first.arg} that ${command[0] ?? ''} runs does not exist` : `the folder of ${first.arg} does not exist`;
  return unavailable(`worker.command[${first.index}]: ${what} (looked at ${first.path}${missing.length > 1 ? `; ${missing.length - 1} more missing` : ''})`, {
    argument: first.arg,
    path: first.path,
    missing: missing.map((m) => ({ index: m.index, argument: m.arg, path: m.path })),
    hint: 'Fix the path in worker.command (relative paths are read from the repository root), or create the file before the run.',
  });
}

async function checkExecutable(ctx: AdapterCheckContext): Promise<AdapterCheck> {
  const executable = ctx.worker.command?.[0];
  if (executable === undefined) {
    return unavailable('the "command" adapter needs worker.command (an argv array, e.g. ["./scripts/agent.sh", "--fast"])', {});
  }
  if (executable.includes('/')) {
    const path = isAbsolute(executable) ? executable : resolve(ctx.workspace, executable);
    if (await isExecutableFile(path)) return { available: true };
    return unavailable(`worker executable "${executable}" does not exist or is not executable (looked at ${path})`, {
      executable,
      path,
      hint: 'Fix worker.command[0], or make the file executable (chmod +x).',
    });
  }
  // The supervisor spawns with the worker's environment, so search the PATH the worker will have.
  const allowed = allowedEnvNames(ctx.config, COMMAND_ADAPTER).includes('PATH');
  const dirs = workerSearchDirs(ctx.env, allowed);
  if ((await findOnPath(executable, dirs, ctx.workspace)) !== null) return { available: true };
  return unavailable(`worker executable "${executable}" was not found on the worker's PATH`, {
    executable,
    searched: dirs,
    hint: allowed
      ? `Install "${executable}" so it is on PATH, or set worker.command[0] to its absolute path.`
      : 'PATH is not in env.allowlist, so the worker only searches /usr/bin and /bin: add PATH to the allowlist or use an absolute path.',
  });
}

function unavailable(message: string, details: Record<string, unknown>): AdapterCheck {
  return { available: false, message, details: { adapter: COMMAND_ADAPTER, ...details } };
}

/**
 * | completion file | exit record            | outcome |
 * |-----------------|------------------------|---------|
 * | valid           | any                    | the file's status |
 * | invalid         | any                    | invalid |
 * | none            | code 0                 | completed, "exited 0 (no completion file)" |
 * | none            | code ≠ 0 or a signal   | failed, "exited 3 (no completion file)" |
 * | none            | spawn error            | missing |
 * | none            | none (supervisor died) | missing |
 * The digest of a derived completion is the digest of exit.json.
 */
export function deriveCommandOutcome(exit: ExitInfo | null, completion: CompletionFileState): WorkerEnd {
  const fromFile = outcomeFromCompletionFile(completion);
  if (fromFile !== null) return fromFile;
  if (exit === null) return { kind: 'missing', reason: SUPERVISOR_DIED };
  const { record } = exit;
  if (record.error !== null) return { kind: 'missing', reason: `worker ${describeExit(record)}` };
  return {
    kind: 'completion',
    status: record.code === 0 ? 'completed' : 'failed',
    digest: exit.digest,
    summary: `${describeExit(record)} (no completion file)`,
    changedFiles: [],
    usage: null,
  };
}
