import { execFileSync } from 'node:child_process';
import { statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptPaths } from '../../src/worker/attemptFiles.js';
import { sanitizeForDisplay, tail } from '../../src/worker/tail.js';
import { waitForOutcome } from '../../src/worker/waitForOutcome.js';
import { EXPECTED, startFixture, tempDir } from './helpers.js';

const file = (bytes: Buffer | string): string => {
  const path = join(tempDir(), 'log');
  writeFileSync(path, bytes);
  return path;
};

describe('tail', () => {
  it('returns only the last bytes', () => {
    expect(tail(file('0123456789'), 4)).toBe('6789');
    expect(tail(file('0123456789'), 100)).toBe('0123456789');
    expect(tail(file('abc'), 0)).toBe('');
  });

  it('is empty for a missing file', () => {
    expect(tail(join(tempDir(), 'nothing'), 10)).toBe('');
  });

  it('a log the worker replaced with a link or a FIFO shows nothing: the link is not followed, the FIFO not waited on', () => {
    const dir = tempDir();
    const secret = join(dir, 'host-secret');
    writeFileSync(secret, 'a file outside the attempt\n');
    symlinkSync(secret, join(dir, 'stderr.log'));
    expect(tail(join(dir, 'stderr.log'), 4096)).toBe('');
    // A FIFO with no writer: a plain open would block this reader (and the status or live view) forever.
    execFileSync('mkfifo', [join(dir, 'stdout.log')]);
    expect(tail(join(dir, 'stdout.log'), 4096)).toBe('');
  });

  it('drops a character cut in half at the start instead of showing a replacement', () => {
    // "é" is two bytes (c3 a9): the last 3 bytes start in its middle.
    expect(tail(file('aé!!'), 3)).toBe('!!');
    expect(tail(file('aé!!'), 4)).toBe('é!!');
  });

  it('replaces invalid UTF-8 and still fits in maxBytes', () => {
    const text = tail(file(Buffer.from([0x61, 0xff, 0xfe, 0x62])), 4);
    expect(text).toContain('\uFFFD');
    expect(text.endsWith('b')).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4);
  });

  it('strips NULs, ANSI escapes and control characters, keeping tabs and newlines', () => {
    expect(sanitizeForDisplay('a\u0000b\u001b[1;31mred\u001b[0m\tc\r\nd\u001b]0;title\u0007e\u0007')).toBe('abred\tc\nde');
  });
});

describe('a worker that prints 20 MB without a newline', () => {
  it('keeps the runner memory bounded and the tail within the requested bytes', async () => {
    const rss = [process.memoryUsage().rss];
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 20);
    try {
      const { dir } = await startFixture('loud.mjs');
      const outcome = await waitForOutcome(dir, { expected: EXPECTED, deadlineAt: null, heartbeatTimeoutMs: 30_000, pollMs: 50 });
      expect(outcome).toMatchObject({ kind: 'completion', status: 'completed' });
      expect(statSync(attemptPaths(dir).stdout).size).toBeGreaterThan(20 * 1024 * 1024);
      const end = tail(attemptPaths(dir).stdout, 4096);
      rss.push(process.memoryUsage().rss);
      expect(Buffer.byteLength(end)).toBeLessThanOrEqual(4096);
      expect(end.endsWith('xxxTHE END')).toBe(true);
    } finally {
      clearInterval(sampler);
    }
    const delta = Math.max(...rss) - (rss[0] ?? 0);
    console.log(`rss delta while a worker printed 20 MB: ${(delta / 1024 / 1024).toFixed(1)} MB`);
    expect(delta).toBeLessThan(50 * 1024 * 1024);
  });
});
