// runText against real programs: exit codes, stdin, a timeout, a program that
// does not exist, output past the bound.
import { describe, expect, it } from 'vitest';
import { runText } from '../../src/platform/runText.js';

const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
const run = (file: string, args: string[], more: { timeoutMs?: number; input?: string; maxBytes?: number } = {}) =>
  runText(file, args, { cwd: process.cwd(), env, timeoutMs: more.timeoutMs ?? 10_000, ...(more.input === undefined ? {} : { input: more.input }), ...(more.maxBytes === undefined ? {} : { maxBytes: more.maxBytes }) });

describe('runText', () => {
  it('collects stdout and stderr as text, one final newline stripped, and the exit code', async () => {
    const r = await run('sh', ['-c', 'printf "a\\nb\\n\\n"; printf "warn\\n" >&2; exit 3']);
    expect(r).toEqual({ exitCode: 3, stdout: 'a\nb\n', stderr: 'warn', timedOut: false, failure: null });
    expect((await run('sh', ['-c', 'printf "é\\r\\n"'])).stdout).toBe('é');
  });

  it('passes only the given environment and writes stdin text', async () => {
    expect((await run('sh', ['-c', 'echo "${HOME-unset}"'])).stdout).toBe('unset');
    expect((await run('cat', [], { input: 'hello\n' })).stdout).toBe('hello');
    // A child that exits without reading a large stdin is not an error of the caller.
    expect((await run('sh', ['-c', 'exit 4'], { input: 'x'.repeat(1_000_000) })).exitCode).toBe(4);
  });

  it('a timeout kills the child: no exit code, timedOut, and says so', async () => {
    const started = Date.now();
    const r = await run('sleep', ['5'], { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(r.exitCode).toBeNull();
    expect(r.timedOut).toBe(true);
    expect(r.failure).toContain('timed out after 200 ms');
  });

  it('a program that cannot start, and output past the bound, are results with a reason', async () => {
    const missing = await run('no-such-program-here', []);
    expect(missing.exitCode).toBeNull();
    expect(missing.failure).toContain('no-such-program-here could not start');
    const big = await run('yes', [], { maxBytes: 1000 });
    expect(big.exitCode).toBeNull();
    expect(big.failure).toContain('stdout exceeded 1000 bytes');
  });
});
