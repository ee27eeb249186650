// Records what the real agent CLIs print, driven against loopback stand-ins of
// their model APIs, into test/fixtures/agents/<agent>/<scenario>/. The fixture
// executables replay these files, so adapters parse the clients' real output.
//
//   npx tsx scripts/record-agent-outputs.ts [claude|codex|gemini] [scenario]
//
// Each run happens in a fixed folder, <tmp>/buran-recording/<agent>/<scenario>/
// {work,home}, emptied first, so the recordings need no path rewriting: stdout
// and stderr are stored byte for byte. Session ids, timings and uuids differ
// between runs. meta.json holds the command line (paths as <work>, <home>,
// the stand-in's address as <standin>), the version, the date, the exit
// status, a summary of every request the stand-in received, and the files the
// run left in its working folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLAUDE_BIN,
  CODEX_BIN,
  GEMINI_BIN,
  geminiEnv,
  geminiSettings,
  claudeEnv,
  codexEnv,
  codexProviderArgs,
  requireBinary,
  runClient,
  type ClientRun,
} from '../test/agents-real/clients.js';
import {
  CLAUDE_FORMATS,
  CLAUDE_SCENARIOS,
  CODEX_SCENARIOS,
  GEMINI_FORMATS,
  GEMINI_SCENARIOS,
  geminiArgs,
  claudeArgs,
  codexArgs,
} from '../test/agents-real/scenarios.js';
import { startAnthropicStandin } from '../test/agents-real/standins/anthropic.js';
import { startGeminiStandin } from '../test/agents-real/standins/gemini.js';
import { startResponsesStandin } from '../test/agents-real/standins/openai.js';
import type { RecordedRequest } from '../test/agents-real/standins/recorder.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(REPO, 'test', 'fixtures', 'agents');
const SCRATCH = join(tmpdir(), 'buran-recording');

interface Folders {
  readonly work: string;
  readonly home: string;
}

function freshFolders(...parts: string[]): Folders {
  const root = join(SCRATCH, ...parts);
  rmSync(root, { recursive: true, force: true });
  const folders = { work: join(root, 'work'), home: join(root, 'home') };
  mkdirSync(folders.work, { recursive: true });
  mkdirSync(folders.home, { recursive: true });
  return folders;
}

/**
 * `folders` with its home moved out of the temp dir (under test-artifacts/): in a CODEX_HOME under
 * the temp dir codex creates no helper links, and its command sandbox then fails beside a system
 * bubblewrap older than 0.9.
 */
function homeOutsideTemp(folders: Folders, ...parts: string[]): Folders {
  const home = join(REPO, 'test-artifacts', 'buran-recording', ...parts, 'home');
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  return { ...folders, home };
}

function placeholders(text: string, folders: Folders, standinUrl: string): string {
  return text.split(folders.work).join('<work>').split(folders.home).join('<home>').split(standinUrl).join('<standin>');
}

function requestSummary(request: RecordedRequest): Record<string, unknown> {
  const body = (request.json ?? {}) as Record<string, unknown>;
  const list = (key: string): number | undefined => (Array.isArray(body[key]) ? (body[key] as unknown[]).length : undefined);
  return {
    method: request.method,
    path: request.path,
    ...(request.query === '' ? {} : { query: request.query }),
    ...(typeof body.model === 'string' ? { model: body.model } : {}),
    ...(typeof body.stream === 'boolean' ? { stream: body.stream } : {}),
    ...(list('tools') === undefined ? {} : { tools: list('tools') }),
    ...(list('messages') === undefined ? {} : { messages: list('messages') }),
    ...(list('input') === undefined ? {} : { inputItems: list('input') }),
    ...(list('contents') === undefined ? {} : { contents: list('contents') }),
  };
}

function workspaceFiles(work: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(work).sort()) {
    try {
      files[name] = readFileSync(join(work, name), 'utf8');
    } catch (error) {
      files[name] = `<not readable: ${String(error)}>`;
    }
  }
  return files;
}

function save(dir: string, run: ClientRun, meta: Record<string, unknown>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'stdout'), run.stdout);
  writeFileSync(join(dir, 'stderr'), run.stderr);
  writeFileSync(join(dir, 'exit-code'), `${run.exitCode ?? run.signal ?? 'unknown'}\n`);
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`${dir.slice(REPO.length + 1)}: exit ${run.exitCode ?? run.signal}, ${run.durationMs} ms, ${run.stdout.length} bytes of stdout`);
}

function version(bin: string): string {
  return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

const recordedAt = new Date().toISOString();

async function recordClaude(only: string | undefined): Promise<void> {
  const bin = requireBinary(CLAUDE_BIN);
  const clientVersion = version(bin);
  for (const scenario of CLAUDE_SCENARIOS.filter((s) => only === undefined || s.name === only)) {
    for (const format of CLAUDE_FORMATS) {
      const folders = freshFolders('claude', scenario.name, format);
      const standin = await startAnthropicStandin(scenario.script(folders.home));
      try {
        const argv = [bin, ...claudeArgs(format, scenario.maxTurns)];
        const env = claudeEnv(standin.url, folders.home);
        const run = await runClient(argv, { cwd: folders.work, env });
        save(join(FIXTURES, 'claude', scenario.name, format), run, {
          agent: 'claude',
          package: '@anthropic-ai/claude-code',
          version: clientVersion,
          scenario: scenario.name,
          format,
          description: scenario.description,
          recordedAt,
          command: ['claude', ...argv.slice(1)],
          cwd: '<work>',
          env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, k === 'PATH' ? '<runner PATH>' : placeholders(v, folders, standin.url)])),
          stdin: 'ignored (/dev/null)',
          exitCode: run.exitCode,
          signal: run.signal,
          durationMs: run.durationMs,
          requests: standin.requests.map(requestSummary),
          workspaceAfter: workspaceFiles(folders.work),
          paths: { work: folders.work, home: folders.home },
        });
      } finally {
        await standin.close();
      }
    }
  }
}

async function recordCodex(only: string | undefined): Promise<void> {
  const bin = requireBinary(CODEX_BIN);
  const clientVersion = version(bin);
  for (const scenario of CODEX_SCENARIOS.filter((s) => only === undefined || s.name === only)) {
    const folders = homeOutsideTemp(freshFolders('codex', scenario.name), 'codex', scenario.name);
    const standin = await startResponsesStandin(scenario.script);
    try {
      const argv = [bin, ...codexArgs(codexProviderArgs(standin.url), scenario.model)];
      const env = codexEnv(folders.home);
      const run = await runClient(argv, { cwd: folders.work, env });
      save(join(FIXTURES, 'codex', scenario.name), run, {
        agent: 'codex',
        package: '@openai/codex',
        version: clientVersion,
        scenario: scenario.name,
        description: scenario.description,
        recordedAt,
        command: ['codex', ...argv.slice(1).map((arg) => placeholders(arg, folders, standin.url))],
        cwd: '<work>',
        env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, k === 'PATH' ? '<runner PATH>' : placeholders(v, folders, standin.url)])),
        stdin: 'ignored (/dev/null)',
        exitCode: run.exitCode,
        signal: run.signal,
        durationMs: run.durationMs,
        requests: standin.requests.map(requestSummary),
        workspaceAfter: workspaceFiles(folders.work),
        paths: { work: folders.work, home: folders.home },
      });
    } finally {
      await standin.close();
    }
  }
}

async function recordGemini(only: string | undefined): Promise<void> {
  const bin = requireBinary(GEMINI_BIN);
  const clientVersion = version(bin);
  for (const scenario of GEMINI_SCENARIOS.filter((s) => only === undefined || s.name === only)) {
    for (const format of GEMINI_FORMATS) {
      const folders = freshFolders('gemini', scenario.name, format);
      const settings = geminiSettings(scenario.maxSessionTurns);
      mkdirSync(join(folders.home, '.gemini'));
      writeFileSync(join(folders.home, '.gemini', 'settings.json'), JSON.stringify(settings, null, 2));
      const standin = await startGeminiStandin(scenario.script(folders.work));
      try {
        const argv = [bin, ...geminiArgs(format)];
        const env = geminiEnv(standin.url, folders.home);
        const run = await runClient(argv, { cwd: folders.work, env, timeoutMs: 90_000 });
        save(join(FIXTURES, 'gemini', scenario.name, format), run, {
          agent: 'gemini',
          package: '@google/gemini-cli',
          version: clientVersion,
          scenario: scenario.name,
          format,
          description: scenario.description,
          recordedAt,
          command: ['gemini', ...argv.slice(1)],
          cwd: '<work>',
          env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, k === 'PATH' ? '<runner PATH>' : placeholders(v, folders, standin.url)])),
          settings: { path: '<home>/.gemini/settings.json', content: settings },
          stdin: 'ignored (/dev/null)',
          exitCode: run.exitCode,
          signal: run.signal,
          durationMs: run.durationMs,
          requests: standin.requests.map(requestSummary),
          workspaceAfter: workspaceFiles(folders.work),
          paths: { work: folders.work, home: folders.home },
        });
      } finally {
        await standin.close();
      }
    }
  }
}

const [agent, only] = process.argv.slice(2);
if (agent === undefined || agent === 'claude') await recordClaude(only);
if (agent === undefined || agent === 'codex') await recordCodex(only);
if (agent === undefined || agent === 'gemini') await recordGemini(only);
