import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommandEvidence, CommandEvidenceSchema, GateResultSchema } from '../../src/domain/gates.js';
import { cleanText } from '../../src/gates/outputTail.js';
import { runCommand } from '../../src/gates/runCommand.js';
import { type VerificationRequest, runVerification } from '../../src/gates/verification.js';
import { tempDir } from '../workspace/support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const node = process.execPath;

/** An in-memory evidence store: content hash → text. */
function evidenceStore(): { put: (text: string) => Promise<string>; get: (hash: string) => CommandEvidence } {
  const artifacts = new Map<string, string>();
  return {
    put: (text) => {
      const hash = `sha256:${createHash('sha256').update(text).digest('hex')}`;
      artifacts.set(hash, text);
      return Promise.resolve(hash);
    },
    get: (hash) => CommandEvidenceSchema.parse(JSON.parse(artifacts.get(hash) ?? 'null')),
  };
}

async function verify(commands: string[][], extra: Partial<VerificationRequest> = {}) {
  const { dir, cleanup } = await tempDir('verify');
  cleanups.push(cleanup);
  const store = evidenceStore();
  const gate = await runVerification({
    commands,
    cwd: dir,
    envAllowlist: ['PATH', 'HOME'],
    subject: 'task',
    taskId: 'api',
    epoch: 2,
    timeoutMs: 10_000,
    putEvidence: store.put,
    ...extra,
  });
  expect(GateResultSchema.parse(gate)).toEqual(gate);
  return { gate, evidence: gate.evidence.map((ref) => store.get(ref.hash)) };
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** True once `pid` is gone; a SIGKILLed process can take a moment to leave the process table. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
  return !alive(pid);
}

describe('runVerification', () => {
  it('passes when every command exits 0, with one evidence record per command', async () => {
    const { gate, evidence } = await verify([
      [node, '-e', 'console.log("ok")'],
      [node, '-e', 'process.exit(0)'],
    ]);
    expect(gate).toMatchObject({ gate: 'verification', subject: 'task', taskId: 'api', epoch: 2, status: 'PASS', findings: [], policyViolations: [] });
    expect(gate.evidence).toHaveLength(2);
    expect(gate.evidence[0]).toMatchObject({ kind: 'command', label: expect.stringContaining('verify[0]') as unknown });
    expect(evidence[0]).toMatchObject({ exitCode: 0, timedOut: false, stdoutTail: 'ok\n' });
    expect(evidence[0]?.durationMs).toBeGreaterThan(0);
  });

  it('fails with a finding that names the command and quotes the end of its output', async () => {
    const script = 'for (let i = 1; i <= 40; i++) console.error(`line ${i}`); console.error("\\u001b[31mexpected 2 to be 3\\u001b[0m\\u0000"); process.exit(3)';
    const { gate, evidence } = await verify([[node, '-e', 'process.exit(0)'], [node, '-e', script]]);
    expect(gate.status).toBe('FAIL');
    expect(gate.findings).toHaveLength(1);
    const finding = gate.findings[0];
    expect(finding).toMatchObject({ severity: 'error', rule: 'verification_failed', taskId: 'api' });
    expect(finding?.message).toContain('exit code 3');
    expect(finding?.message).toContain(JSON.stringify([node, '-e', script]));
    expect(finding?.message).toContain('expected 2 to be 3');
    expect(finding?.message).toContain('line 40');
    expect(finding?.message).not.toContain('line 1\n');
    expect(evidence[1]?.stderrTail.includes('\u001b') || evidence[1]?.stderrTail.includes('\u0000')).toBe(false);
  });

  it('fails when a command is killed by a signal it did not get from buran (a crash is not a pass)', async () => {
    const { gate, evidence } = await verify([[node, '-e', 'process.kill(process.pid, "SIGKILL")'], [node, '-e', 'process.kill(process.pid, "SIGSEGV")']]);
    expect(gate.status).toBe('FAIL');
    expect(evidence.map((e) => [e.exitCode, e.error])).toEqual([
      [null, 'killed by SIGKILL'],
      [null, 'killed by SIGSEGV'],
    ]);
    expect(gate.findings.map((f) => f.rule)).toEqual(['verification_failed', 'verification_failed']);
    expect(gate.findings[0]?.message).toContain('killed by SIGKILL');
  });

  it('is BLOCKED when an executable does not exist, and still runs the other commands', async () => {
    const { gate, evidence } = await verify([['buran-no-such-executable-xyz', '--version'], [node, '-e', 'process.exit(1)']]);
    expect(gate.status).toBe('BLOCKED');
    expect(evidence[0]).toMatchObject({ exitCode: null, timedOut: false, error: expect.stringContaining('ENOENT') as unknown });
    expect(evidence[1]).toMatchObject({ exitCode: 1 });
    expect(gate.findings.map((f) => f.rule)).toEqual(['verification_could_not_run', 'verification_failed']);
  });

  it('is BLOCKED when the executable is not executable (EACCES)', async () => {
    const { dir, cleanup } = await tempDir('eacces');
    cleanups.push(cleanup);
    await writeFile(join(dir, 'check.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const { gate, evidence } = await verify([[join(dir, 'check.sh')]]);
    expect(gate.status).toBe('BLOCKED');
    expect(evidence[0]?.error).toContain('EACCES');
  });

  it('is BLOCKED when there is nothing to run', async () => {
    const { gate } = await verify([]);
    expect(gate).toMatchObject({ status: 'BLOCKED', findings: [{ rule: 'verification_missing' }] });
  });

  it('on timeout ends the whole process group, grandchildren included, and is BLOCKED', async () => {
    // argv only: `sh` is named explicitly; it starts a background grandchild and prints its pid.
    // Without the kill this would wait for `sleep 300` and the test would time out.
    const { gate, evidence } = await verify([['sh', '-c', 'sleep 300 & echo $!; sleep 300']], { timeoutMs: 500, graceMs: 500 });
    expect(gate.status).toBe('BLOCKED');
    expect(gate.findings[0]?.rule).toBe('verification_timeout');
    expect(evidence[0]).toMatchObject({ timedOut: true, error: expect.stringContaining('timed out') as unknown });
    const grandchild = Number(evidence[0]?.stdoutTail.trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(await gone(grandchild)).toBe(true);
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const { gate, evidence } = await verify([[node, '-e', 'process.on("SIGTERM", () => {}); console.log(process.pid); setInterval(() => {}, 1000)']], {
      timeoutMs: 300,
      graceMs: 300,
    });
    expect(gate.status).toBe('BLOCKED');
    expect(await gone(Number(evidence[0]?.stdoutTail.trim()))).toBe(true);
  });

  it('keeps only the tail of 10 MB of output', async () => {
    const script = 'const chunk = "x".repeat(1024 * 1024); for (let i = 0; i < 10; i++) process.stdout.write(chunk); process.stdout.write("THE END")';
    const { gate, evidence } = await verify([[node, '-e', script]]);
    expect(gate.status).toBe('PASS');
    const tail = evidence[0]?.stdoutTail ?? '';
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(8 * 1024);
    expect(tail.endsWith('xxxxTHE END')).toBe(true);
  });

  it('passes only allowlisted environment variables', async () => {
    const { evidence } = await verify([[node, '-e', 'console.log(JSON.stringify([process.env.SECRET_TOKEN ?? null, process.env.VISIBLE ?? null]))']], {
      envAllowlist: ['PATH', 'VISIBLE'],
      envSource: { PATH: process.env['PATH'], VISIBLE: 'yes', SECRET_TOKEN: 'leak' },
    });
    expect(evidence[0]?.stdoutTail.trim()).toBe('[null,"yes"]');
  });
});

describe('runCommand', () => {
  it('cleans up background processes a passing command leaves behind', async () => {
    const { dir, cleanup } = await tempDir('cmd');
    cleanups.push(cleanup);
    const evidence = await runCommand(['sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo $!'], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, timeoutMs: 5_000 });
    expect(evidence.exitCode).toBe(0);
    expect(await gone(Number(evidence.stdoutTail.trim()))).toBe(true);
  });
});

describe('cleanText', () => {
  it('drops ANSI escapes, NUL and control characters, a cut leading character, and normalises CR', () => {
    const bytes = Buffer.concat([Buffer.from('é').subarray(1), Buffer.from('a\u001b[1;32mb\u001b[0m\u0000c\r\nd\re\u0007\tf')]);
    expect(cleanText(bytes)).toBe('abc\nd\ne\tf');
  });
});
