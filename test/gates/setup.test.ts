import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommandEvidence, CommandEvidenceSchema } from '../../src/domain/gates.js';
import { sha256 } from '../../src/domain/hash.js';
import { type SetupResult, runSetup, setupBlockedGate, setupFailureMessage } from '../../src/gates/setup.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'buran-setup-'));
  dirs.push(dir);
  return dir;
};

function failedOf(result: SetupResult): CommandEvidence {
  if (result.failed === null) throw new Error('expected setup to fail');
  return result.failed;
}

function harness() {
  const cwd = tempDir();
  const repoRoot = tempDir();
  const stored = new Map<string, string>();
  const putEvidence = (text: string) => {
    const hash = sha256(text);
    stored.set(hash, text);
    return Promise.resolve(hash);
  };
  const request = { where: 'task api', cwd, repoRoot, envAllowlist: ['PATH', 'HOME'], envSource: { ...process.env, SECRET_TOKEN: 'x' }, timeoutMs: 20_000, putEvidence };
  return { cwd, repoRoot, stored, request };
}

describe('runSetup', () => {
  it('runs every command in order in the worktree, with BURAN_REPO_ROOT set and only allowlisted variables', async () => {
    const h = harness();
    const result = await runSetup({
      ...h.request,
      commands: [
        ['sh', '-c', 'printf "%s" "$BURAN_REPO_ROOT" > root.txt'],
        ['sh', '-c', 'printf "%s|%s" "$(cat root.txt)" "${SECRET_TOKEN:-unset}" > seen.txt'],
      ],
    });
    expect(result.failed).toBeNull();
    expect(result.record.status).toBe('ok');
    expect(result.record.commands.map((c) => c.exitCode)).toEqual([0, 0]);
    expect(readFileSync(join(h.cwd, 'seen.txt'), 'utf8')).toBe(`${h.repoRoot}|unset`);
    // Each command's evidence is stored and parses as command evidence.
    for (const c of result.record.commands) expect(CommandEvidenceSchema.parse(JSON.parse(h.stored.get(c.evidence) ?? 'null')).argv).toEqual(c.argv);
  });

  it('passes arguments literally: nothing expands a variable without a shell', async () => {
    const h = harness();
    const result = await runSetup({ ...h.request, commands: [['touch', '$BURAN_REPO_ROOT']] });
    expect(result.failed).toBeNull();
    expect(existsSync(join(h.cwd, '$BURAN_REPO_ROOT'))).toBe(true);
  });

  it('stops at the first command that fails and keeps its exit code and output tail', async () => {
    const h = harness();
    const result = await runSetup({
      ...h.request,
      commands: [['sh', '-c', 'echo preparing; echo "npm ERR! offline: no cached tarball" >&2; exit 3'], ['touch', 'never']],
    });
    expect(result.record.status).toBe('failed');
    expect(result.record.commands).toHaveLength(1);
    expect(result.failed).toMatchObject({ exitCode: 3, timedOut: false });
    expect(result.failed?.stderrTail).toContain('no cached tarball');
    expect(existsSync(join(h.cwd, 'never'))).toBe(false);
    const message = setupFailureMessage('task api', failedOf(result));
    expect(message).toContain('setup command ["sh","-c"');
    expect(message).toContain('failed in task api (exit code 3)');
    expect(message).toContain('npm ERR! offline: no cached tarball');
  });

  it('ends a command that runs past its bound and reports the timeout', async () => {
    const h = harness();
    const result = await runSetup({ ...h.request, timeoutMs: 300, graceMs: 200, commands: [['sleep', '30']] });
    expect(result.failed).toMatchObject({ timedOut: true });
    expect(setupFailureMessage('run', failedOf(result))).toContain('timed out after 300 ms');
  });

  it('reports a program that is not there as could not run', async () => {
    const h = harness();
    const result = await runSetup({ ...h.request, commands: [['buran-no-such-program-xyz']] });
    expect(result.failed?.exitCode).toBeNull();
    expect(setupFailureMessage('run', failedOf(result))).toContain('could not run');
  });

  it('turns a failed setup before verification into a BLOCKED gate with a setup_failed finding and the setup evidence', async () => {
    const h = harness();
    const result = await runSetup({ ...h.request, where: 'verify run', commands: [['false']] });
    const gate = setupBlockedGate(result, { subject: 'integration', epoch: 2 });
    expect(gate).toMatchObject({ gate: 'verification', subject: 'integration', epoch: 2, status: 'BLOCKED' });
    expect(gate.findings.map((f) => f.rule)).toEqual(['setup_failed']);
    expect(gate.evidence).toEqual([{ kind: 'command', hash: result.record.commands[0]?.evidence, label: 'setup[0] false' }]);
  });
});
