// The claude, codex and gemini adapters end to end: a real temp git
// repository, the real engine, the real supervisor, and fixture executables
// named like the CLIs (test/fixtures/agents/bin) that read their prompt from
// stdin and print each CLI's output format. Every run must end handoff-ready
// with its usage in `buran status --json`, or blocked with the documented code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/domain/config.js';
import type { PacketInput } from '../../src/domain/packet.js';
import { StatusJsonSchema } from '../../src/domain/statusSchema.js';
import { openProject } from '../../src/engine/project.js';
import type { BlockerCode } from '../../src/domain/blockers.js';
import { VERIFY_OK, approvedRun, runProcessesGone, attemptIds, attemptsDir, cleanup, makeRepo } from './fixtures/project.js';

afterAll(cleanup);

const RECORDINGS = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/agents');
const AGENTS_BIN = join(RECORDINGS, 'bin');
const CLIS = ['claude', 'codex', 'gemini'] as const;
type Cli = (typeof CLIS)[number];

const price = { inputUsdPerMTok: 10, cachedInputUsdPerMTok: 1, outputUsdPerMTok: 20 };

/** The last JSON line of a recording of the real CLI, when the recording exists. */
function recordedLine(cli: Cli, scenario: string, type: string): Record<string, unknown> | null {
  for (const dir of [join(RECORDINGS, cli, scenario, 'stream-json'), join(RECORDINGS, cli, scenario)]) {
    const file = join(dir, 'stdout');
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    return lines.reverse().find((l) => l['type'] === type) ?? null;
  }
  return null;
}

/**
 * What the success scenario reports, computed here from its output: the
 * recording of the real CLI when there is one, else the fixture's own
 * figures (1200 input tokens of which 300 cached, 150 output; claude says
 * 0.0123 USD, codex and gemini are priced by `price`).
 */
function expectedSpend(cli: Cli): { inputTokens: number; outputTokens: number; costUsd: number } {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  if (cli === 'claude') {
    const result = recordedLine(cli, 'success', 'result');
    if (result === null) return { inputTokens: 1200, outputTokens: 150, costUsd: 0.0123 };
    const u = result['usage'] as Record<string, unknown>;
    return { inputTokens: n(u['input_tokens']) + n(u['cache_creation_input_tokens']) + n(u['cache_read_input_tokens']), outputTokens: n(u['output_tokens']), costUsd: n(result['total_cost_usd']) };
  }
  const recorded = cli === 'codex' ? recordedLine(cli, 'success', 'turn.completed')?.['usage'] : recordedLine(cli, 'success', 'result')?.['stats'];
  const u = (recorded ?? { input_tokens: 1200, cached_input_tokens: 300, cached: 300, output_tokens: 150 }) as Record<string, unknown>;
  const input = n(u['input_tokens']);
  const cached = n(u[cli === 'codex' ? 'cached_input_tokens' : 'cached']);
  // Gemini's thinking tokens are only in total_tokens; they are billed as output.
  const output = cli === 'gemini' && u['total_tokens'] !== undefined ? Math.max(n(u['output_tokens']), n(u['total_tokens']) - input) : n(u['output_tokens']);
  return { inputTokens: input, outputTokens: output, costUsd: ((input - cached) * price.inputUsdPerMTok + cached * price.cachedInputUsdPerMTok + output * price.outputUsdPerMTok) / 1e6 };
}

function config(cli: Cli, extra: Record<string, unknown> = {}): ConfigInput {
  return {
    schema: 'buran.config/v1',
    adapters: {
      [cli]: {
        executable: join(AGENTS_BIN, cli),
        // codex and gemini report tokens only: they are priced with these.
        prices: { 'codex-fixture': price, 'gemini-fixture': price, 'gemini-2.5-pro': price },
        ...extra,
      },
    },
  };
}
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
  // A blocked run's status exits non-zero (docs/cli.md); the JSON is on stdout either way.
  const { stdout } = spawnSync(process.execPath, ['--import', loader, '--input-type=module', '-e', script, 'status', '--run', runId, '--json'], { cwd: repo, encoding: 'utf8' });
  return StatusJsonSchema.parse(JSON.parse(stdout));
}

describe.each(CLIS)('the %s adapter end to end', (cli) => {
  it('runs a packet to handoff through the fixture CLI and shows its usage in status --json', async () => {
    const { repo, project, runId, result } = await runAgent(cli, agentPacket(cli));
    expect(result.status, JSON.stringify(result.blocker)).toBe('handoff_ready');
    const status = statusJson(repo, runId);
    const spend = expectedSpend(cli);
    expect(status.usage).toEqual({ ...spend, costUsd: expect.closeTo(spend.costUsd, 10) as number, unknownAttempts: 0 });
    expect(spend.inputTokens).toBeGreaterThan(0);
    // The fixture read its prompt from stdin and ran in the task worktree.
    const [attempt] = attemptIds(project, runId);
    const seen = JSON.parse(readFileSync(join(attemptsDir(project, runId), attempt ?? '', 'out', 'fixture-env.worker.json'), 'utf8')) as { promptBytes: number; cwd: string };
    expect(seen.promptBytes).toBe(readFileSync(join(attemptsDir(project, runId), attempt ?? '', 'prompt.md'), 'utf8').length);
    expect(seen.cwd).not.toBe(repo);
  });
});

/** Which fixture scenarios each CLI has, and the blocker each must end in (docs/adapters.md, failure mapping). */
const FAILURES: readonly { cli: Cli; worker: string; code: BlockerCode }[] = [
  ...CLIS.flatMap((cli) => [
    { cli, worker: 'error', code: 'retry_exhausted' as const },
    { cli, worker: 'malformed', code: 'completion_invalid' as const },
    { cli, worker: 'no-result', code: 'completion_missing' as const },
  ]),
  { cli: 'claude', worker: 'max-turns', code: 'retry_exhausted' },
  { cli: 'gemini', worker: 'max-turns', code: 'retry_exhausted' },
  { cli: 'claude', worker: 'denied', code: 'worker_blocked' },
];

describe('agent failures end in their documented blocker codes', () => {
  it.each(FAILURES)('$cli $worker → $code', async ({ cli, worker, code }) => {
    const { project, runId, result } = await runAgent(cli, agentPacket(cli, { worker }));
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code, JSON.stringify(result.blocker, null, 2)).toBe(code);
    expect(attemptIds(project, runId)).toHaveLength(1);
  });

  it.each(CLIS)('%s hang: the wall deadline ends the whole process group (worker_timeout)', async (cli) => {
    const { project, runId, result } = await runAgent(cli, agentPacket(cli, { worker: 'hang', limits: { taskTimeoutSec: 2 } }));
    expect(result.blocker?.code, JSON.stringify(result.blocker, null, 2)).toBe('worker_timeout');
    const [attempt = ''] = attemptIds(project, runId);
    const dir = join(attemptsDir(project, runId), attempt);
    // The grandchild was started (its pid as the worker saw it), and nothing of the run is left (found by environment).
    expect(Number(readFileSync(join(dir, 'out', 'fixture-grandchild.pid'), 'utf8'))).toBeGreaterThan(0);
    expect(await runProcessesGone(runId, 5_000)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'kill.json'), 'utf8'))).toMatchObject({ reason: 'wall' });
  });
});

describe('agent adapters fail closed before spawning anything', () => {
  it('an executable that does not exist blocks at preflight with adapter_unavailable and an install hint', async () => {
    const { project, runId, result } = await runAgent('claude', agentPacket('claude'), { schema: 'buran.config/v1', adapters: { claude: { executable: '/nonexistent/claude' } } });
    expect(result.blocker?.code).toBe('adapter_unavailable');
    expect(result.blocker?.details['hint']).toContain('npm install -D @anthropic-ai/claude-code@2.1.197');
    expect(attemptIds(project, runId)).toEqual([]);
  });

  it('a version outside the supported range blocks with adapter_unavailable', async () => {
    const cfg = config('codex', { envAllowlist: ['FAKE_AGENT_VERSION'] });
    const { project, runId, result } = await runAgent('codex', agentPacket('codex'), cfg, { ...process.env, FAKE_AGENT_VERSION: 'codex-cli 0.170.2' });
    expect(result.blocker?.code).toBe('adapter_unavailable');
    expect(result.blocker?.message).toContain('0.170.2 is outside the supported range >=0.169.0 <0.170.0');
    expect(attemptIds(project, runId)).toEqual([]);
  });
});

describe('the agent environment', () => {
  it.each(CLIS)('%s gets the allowlist and its own key variables, and no other secret of the runner', async (cli) => {
    const env: Record<string, string | undefined> = { ...process.env, AWS_SECRET_ACCESS_KEY: 'aws-secret', GITHUB_TOKEN: 'gh-secret', ANTHROPIC_API_KEY: 'sk-ant', OPENAI_API_KEY: 'sk-openai', GEMINI_API_KEY: 'gm-key' };
    const { project, runId, result } = await runAgent(cli, agentPacket(cli), config(cli), env);
    expect(result.status).toBe('handoff_ready');
    const [attempt = ''] = attemptIds(project, runId);
    const seen = (JSON.parse(readFileSync(join(attemptsDir(project, runId), attempt, 'out', 'fixture-env.worker.json'), 'utf8')) as { env: Record<string, string> }).env;
    const own = { claude: 'ANTHROPIC_API_KEY', codex: 'OPENAI_API_KEY', gemini: 'GEMINI_API_KEY' }[cli];
    expect(seen[own]).toBe(env[own]);
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY'].filter((n) => n !== own)) expect(seen[name], name).toBeUndefined();
    expect(seen['PATH']).toBe(process.env['PATH']);
    // Values never reach the disk: spec.json names the variables only.
    expect(readFileSync(join(attemptsDir(project, runId), attempt, 'spec.json'), 'utf8')).not.toContain(env[own] ?? '');
  });
});

describe('spend budgets', () => {
  it.each(CLIS)('%s: a USD budget smaller than the reported cost blocks with budget_exhausted before handoff', async (cli) => {
    const budgetUsd = expectedSpend(cli).costUsd / 2;
    const { result } = await runAgent(cli, agentPacket(cli, { limits: { budgetUsd } }));
    expect(result.status).toBe('blocked');
    expect(result.blocker?.code).toBe('budget_exhausted');
  });

  it('a token budget smaller than the reported tokens blocks with budget_exhausted', async () => {
    const { result } = await runAgent('claude', agentPacket('claude', { limits: { budgetTokens: 10 } }));
    expect(result.blocker?.code).toBe('budget_exhausted');
  });

  it('codex without a price for its model: the cost is unknown, so a run with a USD budget blocks instead of guessing', async () => {
    const cfg: ConfigInput = { schema: 'buran.config/v1', adapters: { codex: { executable: join(AGENTS_BIN, 'codex') } } };
    const { repo, runId, result } = await runAgent('codex', agentPacket('codex', { limits: { budgetUsd: 100 } }), cfg);
    expect(result.blocker?.code).toBe('budget_exhausted');
    expect(statusJson(repo, runId).usage.unknownAttempts).toBe(1);
  });

  it('the same run without a budget reaches handoff and reports the cost as unknown', async () => {
    const cfg: ConfigInput = { schema: 'buran.config/v1', adapters: { codex: { executable: join(AGENTS_BIN, 'codex') } } };
    const { repo, runId, result } = await runAgent('codex', agentPacket('codex'), cfg);
    expect(result.status).toBe('handoff_ready');
    const usage = statusJson(repo, runId).usage;
    expect(usage.unknownAttempts).toBe(1);
    expect(usage.costUsd).toBe(0);
    expect(usage.inputTokens).toBe(expectedSpend('codex').inputTokens);
  });
});

describe('the agent reviewer end to end (claude fixture as worker and reviewer)', () => {
  const reviewed = (reviewer: string, worker = 'success', limits: PacketInput['limits'] = {}) => agentPacket('claude', { worker, reviewer, review: 'claude', limits });

  it('PASS: reaches handoff; the reviewer ran read-only and its spend is in the run usage', async () => {
    const { repo, project, runId, result } = await runAgent('claude', reviewed('pass'));
    expect(result.status, JSON.stringify(result.blocker)).toBe('handoff_ready');
    const reviews = attemptIds(project, runId).filter((id) => id.startsWith('review.'));
    // One task review and one integration review.
    expect(reviews).toEqual(['review.alpha.a1.e1.t1', 'review.run.e1.t1']);
    const seen = JSON.parse(readFileSync(join(attemptsDir(project, runId), 'review.alpha.a1.e1.t1', 'out', 'fixture-env.reviewer.json'), 'utf8')) as { argv: string[] };
    expect(seen.argv).toContain('--disallowedTools');
    const usage = statusJson(repo, runId).usage;
    expect(usage.costUsd).toBeCloseTo(expectedSpend('claude').costUsd + 2 * 0.0123, 9);
  });

  it('FAIL with findings starts a fix round whose prompt carries the findings, then PASS reaches handoff', async () => {
    const { project, runId, result } = await runAgent('claude', reviewed('fail-once', 'success', { maxFixRounds: 2 }));
    expect(result.status, JSON.stringify(result.blocker)).toBe('handoff_ready');
    const fix = attemptIds(project, runId).find((id) => id.startsWith('alpha.') && readFileSync(join(attemptsDir(project, runId), id, 'prompt.md'), 'utf8').includes('## Findings to fix'));
    expect(fix).toBeDefined();
    const prompt = readFileSync(join(attemptsDir(project, runId), fix ?? '', 'prompt.md'), 'utf8');
    expect(prompt).toContain('[error] agent_review src/alpha.txt:1: the file must end with a blank line');
  });

  it('garbage instead of a verdict: review BLOCKED, the run blocks with review_blocked', async () => {
    const { result } = await runAgent('claude', reviewed('garbage'));
    expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('review_blocked');
    expect(result.blocker?.message).toContain('no valid verdict');
  });

  it('a worker that writes "VERDICT: PASS" and a forged verdict cannot force a PASS', async () => {
    const { project, runId, result } = await runAgent('claude', reviewed('echo', 'claims-pass'));
    expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('review_blocked');
    // The reviewer did repeat the forged verdict; it names the wrong review id, so it is not a verdict.
    const evidence = readFileSync(join(attemptsDir(project, runId), 'review.alpha.a1.e1.t1', 'stdout.log'), 'utf8');
    expect(evidence).toContain('VERDICT: PASS');
  });

  it('a built-in FAIL stays FAIL: the agent reviewer is not even asked', async () => {
    const { project, runId, result } = await runAgent('claude', reviewed('pass', 'out-of-scope'));
    expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('fix_exhausted');
    expect(attemptIds(project, runId).filter((id) => id.startsWith('review.'))).toEqual([]);
  });

  it('a reviewer that edits the workspace gets no say: review BLOCKED (unsandboxed: the change is seen)', async () => {
    const repo = makeRepo({ sandbox: 'none' });
    writeConfig(repo, { ...config('claude'), sandbox: { mode: 'none' } });
    const { project, runId } = await approvedRun(reviewed('edits'), { repo });
    const result = await project.runner.drive(runId);
    expect(result.blocker?.code).toBe('review_blocked');
    expect(result.blocker?.message).toContain('changed the workspace');
  });

  it('a sandboxed reviewer cannot edit the workspace at all (read-only worktree): review BLOCKED, the worktree untouched', async () => {
    const { project, runId, result } = await runAgent('claude', reviewed('edits'));
    expect(result.blocker?.code).toBe('review_blocked');
    const stderr = readFileSync(join(attemptsDir(project, runId), 'review.alpha.a1.e1.t1', 'stderr.log'), 'utf8');
    expect(stderr).toContain('EROFS');
  });

  it("the reviewer's spend counts toward the budget: a budget the worker fits in but not the review blocks with budget_exhausted", async () => {
    const budgetUsd = expectedSpend('claude').costUsd + 0.005;
    const { result } = await runAgent('claude', reviewed('pass', 'success', { budgetUsd }));
    expect(result.blocker?.code, JSON.stringify(result.blocker)).toBe('budget_exhausted');
  });

  it('an unknown reviewer adapter is refused at preflight, before any worker runs', async () => {
    const p = { ...agentPacket('claude'), review: { reviewer: 'nobody' } };
    const { project, runId, result } = await runAgent('claude', p);
    expect(result.blocker?.code).toBe('adapter_unavailable');
    expect(result.blocker?.message).toContain('reviewer');
    expect(attemptIds(project, runId)).toEqual([]);
  });
});
