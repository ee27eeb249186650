// Runs the real Claude Code and Codex binaries (the pinned devDependencies)
// against a loopback stand-in, with a throwaway HOME, stdin closed, and only
// the environment named here. Shared by the real-binary tests and
// scripts/record-agent-outputs.ts.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * node_modules/.bin/claude is the native binary once the package's postinstall
 * copied it over a placeholder. Where install scripts did not run, the native
 * binary is still in the platform package (an optional dependency), so that
 * one is used; with neither, requireBinary fails the test.
 */
function claudeBinary(): string {
  const bin = join(REPO, 'node_modules', '.bin', 'claude');
  if (isNative(bin)) return bin;
  const platformBin = join(REPO, 'node_modules', '@anthropic-ai', `claude-code-${process.platform}-${process.arch}`, 'claude');
  return existsSync(platformBin) ? platformBin : bin;
}

/** An ELF or Mach-O executable, not a script. */
function isNative(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(4);
      readSync(fd, head, 0, 4, 0);
      return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) || head.readUInt32LE(0) === 0xfeedfacf;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // missing or unreadable: not usable
  }
}

export const CLAUDE_BIN = claudeBinary();
export const CODEX_BIN = join(REPO, 'node_modules', '.bin', 'codex');
export const GEMINI_BIN = join(REPO, 'node_modules', '.bin', 'gemini');

/** The versions the recordings and tests were made with (package.json pins them). */
export const CLAUDE_VERSION = '2.1.197';
export const CODEX_VERSION = '0.169.0';

export interface ClientRun {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Fails loudly (never skips) when a pinned binary is not installed. */
export function requireBinary(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm ci\` (the agent CLIs are pinned devDependencies)`);
  return path;
}

/**
 * Runs `argv` with exactly `env`, stdin ignored or `stdinFile` (as buran's supervisor does),
 * and kills it after `timeoutMs`. Asynchronous on purpose: the stand-in lives
 * in this process and must keep answering while the client runs.
 */
export function runClient(argv: readonly string[], options: { cwd: string; env: Readonly<Record<string, string>>; timeoutMs?: number; stdinFile?: string | undefined }): Promise<ClientRun> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('runClient: empty argv');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Its own process group: `codex` is a Node wrapper around a native binary, and a
    // timeout must end both (the child would otherwise keep the pipes open).
    const stdin = options.stdinFile === undefined ? 'ignore' : openSync(options.stdinFile, 'r');
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: [stdin, 'pipe', 'pipe'], detached: true });
    if (typeof stdin === 'number') closeSync(stdin); // the child has its own copy
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        argv,
        exitCode,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: Date.now() - started,
      });
    });
  });
}

/** The environment that points Claude Code at the stand-in and keeps it offline and quick to fail. */
export function claudeEnv(baseUrl: string, home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'dummy',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    // By default 5xx answers are retried with backoff for minutes.
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
}

/** The Codex `-c` overrides that make the stand-in its model provider (key from STUB_KEY, no retries). */
export function codexProviderArgs(baseUrl: string): string[] {
  return [
    '-c',
    'model_provider=stub',
    '-c',
    `model_providers.stub={name="stub",base_url="${baseUrl}/v1",wire_api="responses",env_key="STUB_KEY",request_max_retries=0,stream_max_retries=0}`,
  ];
}

/** `codexHome` must not be under the temp dir (see codexSandboxMode in the adapter). */
export function codexEnv(home: string, codexHome = home): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CODEX_HOME: codexHome, STUB_KEY: 'dummy' };
}

export const GEMINI_VERSION = '0.61.0';

/**
 * Gemini CLI 0.61 reads the base URL from GOOGLE_GEMINI_BASE_URL, but that
 * variable alone selects the "gateway" auth type, which headless mode rejects
 * ("Invalid auth method selected.", exit 41). The user settings pick the API
 * key auth instead (the base URL still applies), turn retries off
 * (`general.maxAttempts: 1`; the default retries a 500 for minutes) and usage
 * statistics off. `maxSessionTurns` bounds the session (-1: unbounded).
 */
export function geminiSettings(maxSessionTurns = -1): Record<string, unknown> {
  return {
    security: { auth: { selectedType: 'gemini-api-key' } },
    general: { maxAttempts: 1 },
    model: { maxSessionTurns },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  };
}

export function geminiEnv(baseUrl: string, home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GOOGLE_GEMINI_BASE_URL: baseUrl,
    GEMINI_API_KEY: 'dummy',
    // The CLI otherwise re-executes itself with a larger heap.
    GEMINI_CLI_NO_RELAUNCH: 'true',
    // On an API error it writes a report file into the temp directory: keep it in the throwaway HOME.
    TMPDIR: home,
  };
}
