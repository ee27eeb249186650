// The completion file is the worker's: buran reads it only as a regular file, never following a link or blocking on a FIFO.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_COMPLETION_BYTES, readCompletionFile } from '../../src/worker/completionFile.js';

const EXPECTED = { runId: 'run-1', taskId: 't', attemptId: 't.a1', epoch: 1 };
const dir = () => mkdtempSync(join(tmpdir(), 'buran-completion-'));

describe('readCompletionFile', () => {
  it('is absent when there is no file', () => {
    expect(readCompletionFile(join(dir(), 'completion.json'), EXPECTED)).toEqual({ state: 'absent' });
  });

  it('refuses a FIFO without blocking on it', () => {
    const file = join(dir(), 'completion.json');
    execFileSync('mkfifo', [file]);
    expect(readCompletionFile(file, EXPECTED)).toMatchObject({ state: 'invalid', problems: ['completion file is not a regular file; only a regular file is read'] });
  });

  it('refuses a symbolic link (to a file the runner could read but the worker could not)', () => {
    const d = dir();
    writeFileSync(join(d, 'secret'), '{"runner":"only"}');
    symlinkSync(join(d, 'secret'), join(d, 'completion.json'));
    const state = readCompletionFile(join(d, 'completion.json'), EXPECTED);
    expect(state).toMatchObject({ state: 'invalid', problems: ['completion file is a symbolic link; only a regular file is read'] });
    expect(JSON.stringify(state)).not.toContain('runner');
  });

  it('refuses a link to an endless device instead of reading forever', () => {
    const d = dir();
    symlinkSync('/dev/zero', join(d, 'completion.json'));
    expect(readCompletionFile(join(d, 'completion.json'), EXPECTED)).toMatchObject({ state: 'invalid' });
  });

  it('reads no more than one byte past the bound of an oversized file', () => {
    const file = join(dir(), 'completion.json');
    writeFileSync(file, Buffer.alloc(MAX_COMPLETION_BYTES + 100_000, 0x20));
    const state = readCompletionFile(file, EXPECTED);
    expect(state).toMatchObject({ state: 'invalid' });
    expect(JSON.stringify(state)).toContain(`(${MAX_COMPLETION_BYTES + 1} read)`);
  });
});
