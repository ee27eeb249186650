// The claude, codex and gemini adapters end to end: a real temp git
// repository, the real engine, the real supervisor, and fixture executables
// named like the CLIs (test/fixtures/agents/bin) that read their prompt from
// stdin and print each CLI's output format. Every run must end handoff-ready
// with its usage in `buran status --json`, or blocked with the documented code.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import type { PacketInput } from '../../src/domain/packet.js';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { openProject } from '../../src/engine/project.js';
import { VERIFY_OK, approvedRun, attemptIds, attemptsDir, cleanup, makeRepo } from './fixtures/project.js';

afterAll(cleanup);

const AGENTS_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/agents/bin');
const CLIS = ['claude', 'codex', 'gemini'] as const;
type Cli = (typeof CLIS)[number];

/** Cost each fixture reports (claude: total_cost_usd; codex and gemini: tokens priced by the config below). */
const FIXTURE_COST = 0.0123;
/** Tokens the fixtures report: 1200 input (300 of them cached), 150 output. */
const FIXTURE_TOKENS = { inputTokens: 1200, outputTokens: 150 };

function config(cli: Cli, extra: Record<string, unknown> = {}): ConfigInput {
  return {
    schema: 'buran.config/v1',
    adapters: {
      [cli]: {
        executable: join(AGENTS_BIN, cli),
        // codex and gemini report tokens only; these prices make the fixture's 900 + 300 cached input and 150 output cost 0.0123 USD.
        prices: { 'codex-fixture': price, 'gemini-fixture': price },
        ...extra,
      },
    },
  };
}
const price = { inputUsdPerMTok: 10, cachedInputUsdPerMTok: 1, outputUsdPerMTok: 20 };

function agentPacket(cli: Cli, o: { worker?: string; reviewer?: string; review?: string; limits?: PacketInput['limits']; model?: string } = {}): PacketInput {
  const lines = [`Write the file src/alpha.txt.`, `fixture-worker: ${o.worker ?? 'success'}`, ...(o.reviewer === undefined ? [] : [`fixture-reviewer: ${o.reviewer}`])];
  return {
    schema: 'buran.packet/v1',
    id: `agent-${cli}`,
    title: `Fixture work through ${cli}`,
    goal: 'Exercise an agent adapter end to end.',
    tasks: [{ id: 'alpha', title: 'Write src/alpha.txt', instructions: lines.join('\n'), scope: ['src/alpha.txt'], acceptance: ['src/alpha.txt exists'] }],
    verify: [VERIFY_OK],
    worker: { adapter: cli, ...(o.model === undefined ? (cli === 'claude' ? {} : { model: `${cli}-fixture` }) : { model: o.model }) },
    ...(o.review === undefined ? {} : { review: { reviewer: o.review } }),
    limits: { heartbeatTimeoutSec: 10, taskTimeoutSec: 60, maxAttempts: 1, maxFixRounds: 1, ...o.limits },
  };
}

function writeConfig(repo: string, value: ConfigInput): void {
  mkdirSync(join(repo, '.buran'), { recursive: true });
  writeFileSync(join(repo, '.buran', 'config.json'), JSON.stringify(value, null, 2));
}

async function runAgent(cli: Cli, p: PacketInput, cfg: ConfigInput = config(cli), env: Record<string, string | undefined> = process.env) {
  const repo = makeRepo();
  writeConfig(repo, cfg);
  const { project, runId } = await approvedRun(p, { repo });
  const run = await openProject({ cwd: repo, env });
  const result = await run.runner.drive(runId);
  return { repo, project, runId, result };
}

const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const mainUrl = pathToFileURL(resolve('src/cli/main.ts')).href;

/** `buran status --run <id> --json` as a subprocess in the repository. */
function statusJson(repo: string, runId: string) {
  const script = `const { main } = await import(${JSON.stringify(mainUrl)}); process.exitCode = await main(['node', 'buran', ...process.argv.slice(1)]);`;
  const stdout = execFileSync(process.execPath, ['--import', loader, '--input-type=module', '-e', script, 'status', '--run', runId, '--json'], { cwd: repo, encoding: 'utf8' });
  return StatusJsonSchema.parse(JSON.parse(stdout));
}

describe.each(CLIS)('the %s adapter end to end', (cli) => {
  it('runs a packet to handoff through the fixture CLI and shows its usage in status --json', async () => {
    const { repo, project, runId, result } = await runAgent(cli, agentPacket(cli));
    expect(result.status, JSON.stringify(result.blocker)).toBe('handoff_ready');
    const status = statusJson(repo, runId);
    expect(status.usage).toEqual({ ...FIXTURE_TOKENS, costUsd: expect.closeTo(FIXTURE_COST, 10) as number, unknownAttempts: 0 });
    // The fixture read its prompt from stdin and ran in the task worktree.
    const [attempt] = attemptIds(project, runId);
    const seen = JSON.parse(readFileSync(join(attemptsDir(project, runId), attempt ?? '', 'fixture-env.worker.json'), 'utf8')) as { promptBytes: number; cwd: string };
    expect(seen.promptBytes).toBe(readFileSync(join(attemptsDir(project, runId), attempt ?? '', 'prompt.md'), 'utf8').length);
    expect(seen.cwd).not.toBe(repo);
  });
});
