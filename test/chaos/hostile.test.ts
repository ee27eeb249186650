// Family 7: hostile workers. A prompt-injected agent is an attacker with the
// worker's process: each attack here is a real worker (hostile-agent.mjs)
// driven by the real CLI. With the default policy (sandbox: auto, bwrap
// present) every attack is contained, checked on the host's files and
// processes. Under `sandbox: none` the same attacks are run to record what
// happens without the sandbox: the assertions state today's behaviour
// (contained, detected, or neither), so a change either way fails a test and
// docs/security.md has to be updated with it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FULL, ROOT, approve, chaosPacket, cleanup, cli, counted, git, makeRepo, runDir, status, survivors, survivorsAfter, tagFor } from './support/harness.js';

const FAMILY = 'hostile';
const HOSTILE = join(ROOT, 'test', 'chaos', 'fixtures', 'hostile-agent.mjs');
const SECRET_NAME = 'HOSTILE_RUNNER_SECRET';
/** The cases CHAOS_PROFILE=ci runs: the fastest ones that still cover a write, the .git pointer, the required mode and a record forged under none. */
const CI_CASES = new Set(['write-outside auto', 'repoint-git auto', 'required without bwrap', 'rewrite-artifacts none']);
const runs = (name: string): boolean => FULL || CI_CASES.has(name);

const hostDirs: string[] = [];
const hostFiles: string[] = [];
afterAll(async () => {
  for (const needle of ['hostile-daemon']) for (const { pid } of survivors(needle)) process.kill(pid, 'SIGKILL');
  for (const file of hostFiles) rmSync(file, { force: true });
  for (const dir of hostDirs) rmSync(dir, { recursive: true, force: true });
  await cleanup();
});

type Mode = 'write-outside' | 'rewrite-artifacts' | 'repoint-git' | 'plant-config' | 'proc-scan' | 'daemon' | 'kill-supervisor';
type Sandbox = 'auto' | 'none';

interface HostileRun {
  readonly repo: string;
  readonly runId: string;
  readonly code: number | null;
  readonly output: string;
  /** The runner's HOME (also the worker's, unless the sandbox gives it a private one). */
  readonly home: string;
  /** A file name the worker tries to create in the host's /tmp and /var/tmp. */
  readonly tmpName: string;
  /** A host file the attacks' planted commands append to whenever they run (outside the repository). */
  readonly marker: string;
  /** The marker's text right after the run, before any other git command of the test. */
  readonly markerAfterRun: string | null;
  readonly secret: string;
  /** What the worker tried and what each try returned (its out/hostile.json, per attempt). */
  readonly tried: readonly Record<string, unknown>[];
  /** sha256 of every file of the run folder right after approval, by path relative to it. */
  readonly before: Readonly<Record<string, string>>;
  /** The shared git dir's config before the run. */
  readonly gitConfig: string;
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function digests(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(out, digests(path, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = sha(path);
  }
  return out;
}

/** Approve a one-task packet worked by the hostile agent in `mode`, run it to its end under `sandbox`. */
async function hostileRun(mode: Mode, sandbox: Sandbox): Promise<HostileRun> {
  const repo = makeRepo('auto');
  const scratch = mkdtempSync(join(tmpdir(), 'buran-hostile-host-'));
  hostDirs.push(scratch);
  const home = join(scratch, 'home');
  mkdirSync(home);
  const marker = join(scratch, 'marker');
  const tmpName = `${tagFor(mode)}-planted`;
  hostFiles.push(join('/tmp', tmpName), join('/var/tmp', tmpName));
  if (sandbox === 'none') {
    mkdirSync(join(repo, '.buran'), { recursive: true });
    writeFileSync(join(repo, '.buran', 'config.json'), JSON.stringify({ schema: 'buran.config/v1', sandbox: { mode: 'none' } }));
  }
  const command = ['node', HOSTILE, mode, `--repo=${repo}`, `--marker=${marker}`, `--tmp-name=${tmpName}`, `--secret-name=${SECRET_NAME}`];
  const packet = chaosPacket({ tag: tagFor(mode), markers: join(scratch, 'markers'), worker: { command }, limits: { maxFixRounds: 0 } });
  const runId = await approve(repo, packet);
  const before = digests(runDir(repo, runId));
  const gitConfig = readFileSync(join(repo, '.git', 'config'), 'utf8');
  const secret = `hostile-${randomBytes(12).toString('hex')}`;
  const r = await cli(repo, ['run', '--run', runId], { HOME: home, [SECRET_NAME]: secret });
  const markerAfterRun = existsSync(marker) ? readFileSync(marker, 'utf8') : null;
  const attempts = join(runDir(repo, runId), 'attempts');
  const tried = readdirSync(attempts)
    .sort()
    .map((a) => join(attempts, a, 'out', 'hostile.json'))
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>);
  return { repo, runId, code: r.code, output: r.stdout + r.stderr, home, tmpName, marker, markerAfterRun, secret, tried, before, gitConfig };
}

async function statusOf(h: HostileRun) {
  return (await status(h.repo, h.runId)).json;
}

/** What `status --run` (text and JSON), `status` over all runs and `report` say about the run's sandbox. */
async function shownSandbox(repo: string, runId: string): Promise<{ json: unknown; text: string; list: string; listJson: unknown; report: string }> {
  const json = (JSON.parse((await cli(repo, ['status', '--run', runId, '--json'])).stdout) as { sandbox: unknown }).sandbox;
  const text = (await cli(repo, ['status', '--run', runId])).stdout;
  const list = (await cli(repo, ['status'])).stdout;
  const listJson = (JSON.parse((await cli(repo, ['status', '--json'])).stdout) as { runId: string; sandbox: unknown }[]).find((r) => r.runId === runId)?.sandbox;
  const report = (await cli(repo, ['report', '--run', runId])).stdout;
  return { json, text, list, listJson, report };
}

function sandboxRecord(h: HostileRun): Record<string, unknown> {
  return JSON.parse(readFileSync(join(runDir(h.repo, h.runId), 'sandbox.json'), 'utf8')) as Record<string, unknown>;
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (st.isDirectory()) found.push(...filesContaining(path, needle));
    else if (st.isFile() && readFileSync(path, 'latin1').includes(needle)) found.push(path);
  }
  return found;
}

function hostileCase(name: string, body: () => Promise<void>): void {
  it.runIf(runs(name))(name, async () => {
    await counted(FAMILY, name, body);
  });
}

describe('hostile: writes outside the worktree', () => {
  hostileCase('write-outside auto', async () => {
    const h = await hostileRun('write-outside', 'auto');
    expect(h.code, h.output).toBe(0);
    const tried = h.tried[0] ?? {};
    // The checkout is read-only; the store, HOME and /tmp writes "succeed" into private, throw-away folders.
    expect(tried['checkout: new file']).toBe('EROFS');
    expect(tried['store: inbox command']).toBe('done');
    expect(existsSync(join(h.repo, 'HOSTILE.txt'))).toBe(false);
    expect(readFileSync(join(h.repo, 'README.md'), 'utf8')).toBe('# chaos fixture repository\n');
    const run = runDir(h.repo, h.runId);
    expect(existsSync(join(run, 'inbox')) ? readdirSync(join(run, 'inbox')) : []).toEqual([]);
    expect(existsSync(join(run, 'forged-review.json'))).toBe(false);
    expect(sandboxRecord(h)).toMatchObject({ kind: 'bwrap', network: true });
    expect(String(sandboxRecord(h)['note'])).not.toContain('forged');
    expect(existsSync(join(h.home, '.hostile-home'))).toBe(false);
    expect(existsSync(join('/tmp', h.tmpName))).toBe(false);
    expect(existsSync(join('/var/tmp', h.tmpName))).toBe(false);
    // The forged CANCEL never reached the driver.
    expect((await statusOf(h))?.status).toBe('handoff_ready');
    // Status and report say the run was confined, and by which bwrap.
    const shown = await shownSandbox(h.repo, h.runId);
    expect(shown.json).toMatchObject({ mode: 'auto', kind: 'bwrap', network: true });
    expect((shown.json as { note: string }).note).toMatch(/^bwrap \(\/.*bwrap\)$/);
    expect(shown.text).toMatch(/^ {2}sandbox: bwrap \(\/.*bwrap\)$/m);
    expect(shown.list).toMatch(new RegExp(`^${h.runId} .* bwrap$`, 'm'));
    expect(shown.listJson).toBe('bwrap');
    expect(shown.report).toMatch(/^- \*\*sandbox:\*\* bwrap \(/m);
  });

  hostileCase('write-outside none', async () => {
    const h = await hostileRun('write-outside', 'none');
    // Nothing is contained: every file is written on the host.
    expect(readFileSync(join(h.repo, 'HOSTILE.txt'), 'utf8')).toBe('planted\n');
    expect(readFileSync(join(h.repo, 'README.md'), 'utf8')).toBe('overwritten by the worker\n');
    expect(existsSync(join(h.home, '.hostile-home'))).toBe(true);
    expect(existsSync(join('/tmp', h.tmpName))).toBe(true);
    expect(existsSync(join('/var/tmp', h.tmpName))).toBe(true);
    expect(existsSync(join(runDir(h.repo, h.runId), 'forged-review.json'))).toBe(true);
    // The forged operator CANCEL cannot be told from the operator's: it is taken from the inbox and obeyed.
    const events = (await cli(h.repo, ['events', '--run', h.runId, '--json'])).stdout;
    expect(events).toContain('"to":"cancelled"');
    // Detected: the forged sandbox record no longer matches what the runner sealed; every view says so.
    expect(sandboxRecord(h)).toMatchObject({ kind: 'bwrap', note: 'bwrap (forged)' });
    const st = await statusOf(h);
    expect(st?.status).toBe('blocked');
    expect(st?.blocker).toMatchObject({ code: 'evidence_tampered', details: { file: 'sandbox.json' } });
    expect((await cli(h.repo, ['status', '--run', h.runId, '--exit-status'])).code).toBe(3);
    expect((await cli(h.repo, ['report', '--run', h.runId])).stdout).toContain('evidence_tampered');
  });
});

describe('hostile: rewrites the approved packet copy and the approval', () => {
  hostileCase('rewrite-artifacts auto', async () => {
    const h = await hostileRun('rewrite-artifacts', 'auto');
    expect(h.code, h.output).toBe(0);
    // The store is hidden: the worker finds no artifacts folder at all.
    expect(h.tried[0]?.['list artifacts']).toBe('ENOENT');
    const after = digests(runDir(h.repo, h.runId));
    for (const [file, digest] of Object.entries(h.before)) {
      if (file.startsWith('artifacts/') || file === 'run.json') expect(after[file], file).toBe(digest);
    }
    expect((await statusOf(h))?.status).toBe('handoff_ready');
  });

  hostileCase('rewrite-artifacts none', async () => {
    const h = await hostileRun('rewrite-artifacts', 'none');
    const after = digests(runDir(h.repo, h.runId));
    const stored = Object.keys(h.before).filter((f) => f.startsWith('artifacts/') || f === 'run.json');
    expect(stored.length).toBeGreaterThan(1);
    for (const file of stored) expect(after[file], file).not.toBe(h.before[file]);
    // Detected: the run in flight ends blocked (run.json changed while it was driven), status and the
    // next driver say evidence_tampered naming the file, and nothing is driven on it.
    expect(h.code, h.output).toBe(3);
    expect(h.output).toContain('evidence_tampered');
    const st = await statusOf(h);
    expect(st?.blocker).toMatchObject({ code: 'evidence_tampered', details: { file: 'run.json' } });
    const again = await cli(h.repo, ['run', '--run', h.runId]);
    expect(again.code, again.stdout + again.stderr).toBe(3);
    expect(again.stdout + again.stderr).toContain('evidence_tampered');
  });
});

describe("hostile: repoints the worktree's .git at a fake git dir", () => {
  hostileCase('repoint-git auto', async () => {
    const h = await hostileRun('repoint-git', 'auto');
    expect(h.code, h.output).toBe(0);
    const tried = h.tried[0] ?? {};
    expect(tried['worktree .git pointer (write)']).toBe('EROFS');
    expect(tried['worktree .git pointer (rename)']).toBe('EBUSY');
    expect(tried['.git now']).toBe(`gitdir: ${join(h.repo, '.git', 'worktrees', 'alpha')}`);
    expect(h.markerAfterRun).toBeNull();
    expect((await statusOf(h))?.status).toBe('handoff_ready');
    expect(git(h.repo, 'show', `buran/${h.runId}:src/alpha.txt`)).toMatch(/^ok alpha\.a1/);
  });

  hostileCase('repoint-git none', async () => {
    const h = await hostileRun('repoint-git', 'none');
    const tried = h.tried[0] ?? {};
    expect(tried['.git now']).toBe(`gitdir: ${join(runDir(h.repo, h.runId), 'attempts', 'alpha.a1', 'out', 'fake.git')}`);
    // Ignored: buran addresses the worktree through the admin folder git registered, never through its `.git` file,
    // so the fake dir (and its hook) plays no part. The pointer itself is not committed (git never tracks `.git`).
    expect(h.markerAfterRun).toBeNull();
    const st = await statusOf(h);
    expect(st?.blocker?.message ?? '').not.toContain('rev-parse HEAD');
  });
});

describe('hostile: plants git config in the shared git dir', () => {
  hostileCase('plant-config auto', async () => {
    const h = await hostileRun('plant-config', 'auto');
    expect(h.code, h.output).toBe(0);
    expect(h.tried[0]?.['shared config']).toBe('EROFS');
    expect(h.tried[0]?.['shared info/attributes']).toBe('EROFS');
    expect(readFileSync(join(h.repo, '.git', 'config'), 'utf8')).toBe(h.gitConfig);
    expect(existsSync(join(h.repo, '.git', 'info', 'attributes'))).toBe(false);
    expect(h.markerAfterRun).toBeNull();
    expect((await statusOf(h))?.status).toBe('handoff_ready');
  });

  hostileCase('plant-config none', async () => {
    const h = await hostileRun('plant-config', 'none');
    // Detected: the attempt changed the git configuration the run trusts; it is put back, the attempt is policy_denied,
    // and buran's own git never ran the planted commands (nor does the user's next git command).
    expect(readFileSync(join(h.repo, '.git', 'config'), 'utf8')).toBe(h.gitConfig);
    expect(existsSync(join(h.repo, '.git', 'info', 'attributes'))).toBe(false);
    expect(h.markerAfterRun).toBeNull();
    const st = await statusOf(h);
    expect(st?.status).toBe('blocked');
    expect(st?.blocker?.code).toBe('policy_denied');
  });
});

describe('hostile: reads other processes through /proc', () => {
  hostileCase('proc-scan auto', async () => {
    const h = await hostileRun('proc-scan', 'auto');
    expect(h.code, h.output).toBe(0);
    const tried = h.tried[0] ?? {};
    expect(tried['loot']).toEqual([]);
    // Its own PID namespace: the sandbox's init (bwrap) and the worker.
    const visible = tried['visible processes'] as { pid: number; argv0: string }[];
    expect(visible.length).toBeLessThanOrEqual(3);
    expect(visible.find((p) => p.pid === 1)?.argv0).toMatch(/bwrap$/);
    expect(filesContaining(h.repo, h.secret)).toEqual([]);
    expect(git(h.repo, 'show', `buran/${h.runId}:src/alpha.txt`)).not.toContain(h.secret);
  });

  hostileCase('proc-scan none', async () => {
    const h = await hostileRun('proc-scan', 'none');
    expect(h.code, h.output).toBe(0);
    // Not contained: the runner's secret (not allowlisted) is read from its /proc/<pid>/environ and handed off.
    expect((h.tried[0]?.['loot'] as { value: string }[]).map((l) => l.value)).toContain(h.secret);
    expect(git(h.repo, 'show', `buran/${h.runId}:src/alpha.txt`)).toContain(h.secret);
    // Status and report say so.
    const shown = await shownSandbox(h.repo, h.runId);
    expect(shown.json).toEqual({ mode: 'none', kind: 'none', network: true, note: 'unsandboxed: sandbox mode none (trusted workers)' });
    expect(shown.text).toContain('  unsandboxed: sandbox mode none (trusted workers)\n');
    expect(shown.list).toMatch(new RegExp(`^${h.runId} .* unsandboxed$`, 'm'));
    expect(shown.listJson).toBe('none');
    expect(shown.report).toContain('- **unsandboxed:** sandbox mode none (trusted workers)');
  });
});

describe('hostile: leaves a daemon behind', () => {
  hostileCase('daemon auto', async () => {
    const h = await hostileRun('daemon', 'auto');
    expect(h.code, h.output).toBe(0);
    expect(h.tried[0]?.['daemon pid']).toBe('done');
    expect(await survivorsAfter(`BURAN_RUN_ID=${h.runId}`)).toEqual([]);
  });

  hostileCase('daemon none', async () => {
    const h = await hostileRun('daemon', 'none');
    expect(h.code, h.output).toBe(0);
    // Ended: once the attempt is over, every process still tagged with its attempt id (inherited BURAN_ATTEMPT_ID)
    // is killed, the setsid'd grandchild included. A daemon that cleared its environment would escape (docs/security.md).
    const left = survivors(`BURAN_RUN_ID=${h.runId}`);
    for (const { pid } of left) process.kill(pid, 'SIGKILL');
    expect(left.map((p) => p.cmdline)).toEqual([]);
    expect((await statusOf(h))?.status).toBe('handoff_ready');
  });
});

describe('hostile: kills its supervisor', () => {
  hostileCase('kill-supervisor auto', async () => {
    const h = await hostileRun('kill-supervisor', 'auto');
    expect(h.code, h.output).toBe(0);
    const tried = h.tried[0] ?? {};
    // No supervisor in sight; its parent is the sandbox's init, which a signal from inside cannot kill.
    expect(tried['supervisors seen']).toEqual([]);
    expect((tried['parent'] as { pid: number }).pid).toBe(1);
    const st = await statusOf(h);
    expect(st?.status).toBe('handoff_ready');
    expect(st?.tasks[0]?.attempts).toBe(1);
    expect(existsSync(join(runDir(h.repo, h.runId), 'attempts', 'alpha.a1', 'exit.json'))).toBe(true);
  });

  hostileCase('kill-supervisor none', async () => {
    const h = await hostileRun('kill-supervisor', 'none');
    // Detected: each attempt's supervisor dies without an exit record and the task blocks.
    const st = await statusOf(h);
    expect(st?.status).toBe('blocked');
    expect(st?.blocker?.code).toBe('completion_missing');
    expect(existsSync(join(runDir(h.repo, h.runId), 'attempts', 'alpha.a1', 'exit.json'))).toBe(false);
  });
});

describe('hostile: sandbox required where bubblewrap is missing', () => {
  hostileCase('required without bwrap', async () => {
    for (const how of ['config', 'packet'] as const) {
      const repo = makeRepo('auto');
      const markers = join(repo, '..', `${tagFor('required')}-markers`);
      hostDirs.push(markers);
      if (how === 'config') {
        mkdirSync(join(repo, '.buran'), { recursive: true });
        writeFileSync(join(repo, '.buran', 'config.json'), JSON.stringify({ schema: 'buran.config/v1', sandbox: { mode: 'required' } }));
      }
      const base = chaosPacket({ tag: tagFor('required'), markers, sleepMs: 0 });
      const runId = await approve(repo, how === 'packet' ? { ...base, policy: { sandbox: { required: true } } } : base);
      // BURAN_BWRAP names the bwrap to use: a path with nothing there is a machine without bubblewrap.
      const r = await cli(repo, ['run', '--run', runId], { BURAN_BWRAP: '/nonexistent/bwrap' });
      expect(r.code, `${how}: ${r.stdout}${r.stderr}`).toBe(3);
      const st = (await status(repo, runId)).json;
      expect(st?.blocker?.code, how).toBe('sandbox_unavailable');
      expect(st?.blocker?.message, how).toContain('/nonexistent/bwrap');
      // No worker started: no attempt folder, no marker.
      expect(existsSync(join(runDir(repo, runId), 'attempts')) ? readdirSync(join(runDir(repo, runId), 'attempts')) : [], how).toEqual([]);
      expect(existsSync(markers), how).toBe(false);
      expect(JSON.parse(readFileSync(join(runDir(repo, runId), 'sandbox.json'), 'utf8')), how).toMatchObject({ mode: 'required', kind: 'unavailable' });
      expect((await shownSandbox(repo, runId)).text, how).toContain('  sandbox unavailable: sandbox: required, but bwrap is not an executable file at /nonexistent/bwrap');
    }
  });

  hostileCase('auto without bwrap', async () => {
    // The default policy where bubblewrap is missing: the run goes on unconfined, and every view says so.
    const repo = makeRepo('auto');
    const runId = await approve(repo, chaosPacket({ tag: tagFor('auto-none'), markers: join(repo, '..', `${tagFor('auto-none')}-markers`), sleepMs: 0 }));
    const r = await cli(repo, ['run', '--run', runId], { BURAN_BWRAP: '/nonexistent/bwrap' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const shown = await shownSandbox(repo, runId);
    const why = 'unsandboxed: bwrap is not an executable file at /nonexistent/bwrap (BURAN_BWRAP)';
    expect(shown.json).toEqual({ mode: 'auto', kind: 'none', network: true, note: why });
    expect(shown.text).toContain(`  ${why}\n`);
    expect(shown.list).toMatch(new RegExp(`^${runId} .* unsandboxed$`, 'm'));
    expect(shown.report).toContain('- **unsandboxed:** bwrap is not an executable file at /nonexistent/bwrap');
  });
});
