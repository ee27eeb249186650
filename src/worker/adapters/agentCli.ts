// What the claude, codex and gemini adapters share: finding the CLI, checking
// its version against the range the adapter was written for, the settings
// of one invocation, and the worker's environment.
import { execFile } from 'node:child_process';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { ModelPrice } from '../../domain/config.js';
import type { AdapterCheck, AdapterCheckContext, InvocationContext, SandboxPaths, SandboxPathsContext } from '../adapter.js';
import { allowedEnvNames, buildWorkerEnv } from '../commandAdapter.js';
import { findOnPath, isExecutableFile, workerSearchDirs } from '../findExecutable.js';

/** A version as [major, minor, patch]. */
export type Version = readonly [number, number, number];

/** What an agent adapter knows about its CLI. */
export interface AgentCliSpec {
  /** Adapter name, and the CLI's command name on PATH. */
  readonly name: string;
  /** npm package that ships the CLI. */
  readonly packageName: string;
  /** The version whose output formats this adapter follows (docs/adapters.md). */
  readonly testedVersion: string;
  /** Accepted versions: min <= v < below. Outside it the output formats may differ, so the adapter is unavailable. */
  readonly minVersion: Version;
  readonly belowVersion: Version;
  /** The CLI's own credential and endpoint variables, passed from the runner's environment when set. */
  readonly keyEnv: readonly string[];
  /** Fixed variables every invocation gets (e.g. no self-update mid-run). */
  readonly fixedEnv?: Readonly<Record<string, string>>;
  /**
   * The CLI's settings and credential files, relative to HOME. Inside buran's
   * sandbox HOME is private and empty: the CLI keeps its session state there
   * (gone with the attempt), and these files are bound in read-only, so a
   * worker cannot plant hooks, MCP servers or notify commands that the user's
   * own next session, or the run's agent reviewer, would run.
   */
  readonly homeConfig: readonly string[];
  /**
   * A variable that moves the config folder elsewhere (CODEX_HOME). When the
   * worker is given it, that folder is bound writable as it is: the CLI needs
   * it writable and outside the temp dir (docs/security.md names the risk).
   */
  readonly configHomeEnv?: string;
}

/** What a sandboxed agent CLI needs from the real HOME: its settings and credentials, read-only. Missing ones are skipped. */
export function agentSandboxPaths(spec: AgentCliSpec): (ctx: SandboxPathsContext) => SandboxPaths {
  return ({ env }) => {
    const home = env['HOME'];
    const moved = spec.configHomeEnv === undefined ? undefined : env[spec.configHomeEnv];
    return {
      readOnly: home === undefined || !isAbsolute(home) ? [] : spec.homeConfig.map((name) => join(home, name)),
      writable: moved !== undefined && isAbsolute(moved) ? [moved] : [],
    };
  };
}

/** Options every agent adapter factory takes. */
export interface AgentAdapterOptions {
  /** Where a relative `adapters.<name>.executable` is resolved (the repository root); default: the task's workspace. */
  readonly projectRoot?: string;
  /** How long `<cli> --version` may take (ms). */
  readonly versionTimeoutMs?: number;
  /** Prices by model (config `adapters.<name>.prices`), for tools that report tokens but no cost. */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
}

/** Most turns an agent gets when the config names none. */
export const DEFAULT_MAX_TURNS = 40;

/** The settings of one invocation: packet first, then config, then the adapter's defaults. */
export function agentSettings(ctx: InvocationContext, spec: AgentCliSpec, projectRoot: string | undefined) {
  const config = ctx.config.adapters[spec.name];
  return {
    executable: executableArg(config?.executable ?? spec.name, projectRoot ?? ctx.workspace),
    model: ctx.worker.model ?? config?.model,
    maxTurns: config?.maxTurns ?? DEFAULT_MAX_TURNS,
    // A reviewer gets reviewerArgs only: extraArgs written for workers (e.g. a bypass-approvals flag) would undo its read-only flags.
    extraArgs: ctx.role === 'reviewer' ? [...(config?.reviewerArgs ?? [])] : [...(config?.extraArgs ?? []), ...(ctx.worker.args ?? [])],
    /** The attempt folder: where the prompt and the completion file live. */
    attemptDir: dirname(ctx.completionFile),
    reviewer: ctx.role === 'reviewer',
  };
}

/** A configured executable with a `/` is a path (relative to `base`); a bare name is looked up on the worker's PATH. */
function executableArg(executable: string, base: string): string {
  return executable.includes('/') && !isAbsolute(executable) ? resolve(base, executable) : executable;
}

/**
 * The worker's environment: `env.allowlist` and `adapters.<name>.envAllowlist`,
 * the CLI's own key variables, the BURAN_* contract, and the adapter's fixed
 * variables. Nothing else from the runner's environment.
 */
export function buildAgentEnv(ctx: InvocationContext, spec: AgentCliSpec): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const name of spec.keyEnv) {
    const value = ctx.env[name];
    if (value !== undefined) keys[name] = value;
  }
  return { ...keys, ...buildWorkerEnv(ctx, spec.name), ...spec.fixedEnv };
}

/**
 * Available when the executable exists and `--version` names a version in
 * the adapter's range. Runs `<cli> --version` with the worker's environment
 * (a few hundred ms); nothing else is started.
 */
export async function checkAgentCli(ctx: AdapterCheckContext, spec: AgentCliSpec, options: AgentAdapterOptions): Promise<AdapterCheck> {
  const configured = ctx.config.adapters[spec.name]?.executable;
  const hint = `Install it with \`npm install -D ${spec.packageName}@${spec.testedVersion}\` and set adapters.${spec.name}.executable to node_modules/.bin/${spec.name}, or put ${spec.name} on PATH.`;
  const found = await findExecutable(ctx, spec, configured, options.projectRoot ?? ctx.workspace);
  if (found.path === null) {
    return unavailable(spec, `${spec.name} executable "${configured ?? spec.name}" was not found (${found.looked})`, { executable: configured ?? spec.name, hint });
  }
  const env = buildAgentEnv({ ...ctx, runId: '', taskId: '', attemptId: '', attempt: 1, epoch: 1, promptFile: '', completionFile: '' }, spec);
  const printed = await runVersion(found.path, ctx.workspace, env, options.versionTimeoutMs ?? 20_000);
  const version = parseVersion(printed.output);
  const range = `>=${spec.minVersion.join('.')} <${spec.belowVersion.join('.')}`;
  if (version === null) {
    return unavailable(spec, `${found.path} --version printed no version${printed.error === null ? '' : ` (${printed.error})`}`, {
      executable: found.path,
      output: printed.output.slice(0, 500),
      supported: range,
      hint,
    });
  }
  if (!inRange(version, spec.minVersion, spec.belowVersion)) {
    return unavailable(spec, `${spec.name} ${version.join('.')} is outside the supported range ${range}; its output format may differ`, {
      executable: found.path,
      version: version.join('.'),
      supported: range,
      hint,
    });
  }
  return { available: true };
}

function unavailable(spec: AgentCliSpec, message: string, details: Record<string, unknown>): AdapterCheck {
  return { available: false, message, details: { adapter: spec.name, ...details } };
}

async function findExecutable(
  ctx: AdapterCheckContext,
  spec: AgentCliSpec,
  configured: string | undefined,
  base: string,
): Promise<{ path: string | null; looked: string }> {
  const name = configured ?? spec.name;
  if (name.includes('/')) {
    const path = isAbsolute(name) ? name : resolve(base, name);
    return { path: (await isExecutableFile(path)) ? path : null, looked: `looked at ${path}` };
  }
  // The supervisor spawns with the worker's environment, so search the PATH the worker will have.
  const allowed = allowedEnvNames(ctx.config, spec.name).includes('PATH');
  const dirs = workerSearchDirs(ctx.env, allowed);
  const path = await findOnPath(name, dirs, ctx.workspace);
  return { path, looked: path === null ? `searched the worker's PATH: ${dirs.join(delimiter)}` : '' };
}

function runVersion(file: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<{ output: string; error: string | null }> {
  return new Promise((done) => {
    execFile(file, ['--version'], { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      done({ output: `${stdout}${stderr}`.trim(), error: error === null ? null : error.message.split('\n')[0] ?? 'failed' });
    });
  });
}

/** The first `x.y.z` in a `--version` output (`2.1.197 (Claude Code)`, `codex-cli 0.169.0`, `0.61.0`). */
export function parseVersion(output: string): Version | null {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (match === null) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function inRange(version: Version, min: Version, below: Version): boolean {
  return compare(version, min) >= 0 && compare(version, below) < 0;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Token counts as a tool reports them; `cachedInput` is part of `input`. */
export interface TokenCounts {
  readonly input: number;
  readonly cachedInput: number;
  readonly output: number;
}

/**
 * Cost in US dollars of `tokens` per model, or null when any model has no
 * price (then the spend is unknown, never guessed).
 */
export function priceTokens(byModel: ReadonlyMap<string, TokenCounts>, prices: Readonly<Record<string, ModelPrice>> | undefined): number | null {
  if (byModel.size === 0) return null;
  let total = 0;
  for (const [model, tokens] of byModel) {
    const price = prices?.[model];
    if (price === undefined) return null;
    const cachedRate = price.cachedInputUsdPerMTok ?? price.inputUsdPerMTok;
    total +=
      (Math.max(0, tokens.input - tokens.cachedInput) * price.inputUsdPerMTok + tokens.cachedInput * cachedRate + tokens.output * price.outputUsdPerMTok) / 1_000_000;
  }
  return total;
}
