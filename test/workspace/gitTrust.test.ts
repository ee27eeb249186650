// The run's trusted git configuration is read back through its schema: a
// damaged record is store_corrupt naming the file, never a trust that checks nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GIT_TRUST_FILE, openGitTrust } from '../../src/workspace/gitTrust.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function runDirWith(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'buran-trust-'));
  dirs.push(dir);
  writeFileSync(join(dir, GIT_TRUST_FILE), text);
  return dir;
}

const open = (runDir: string) =>
  openGitTrust({ runDir, commonDir: runDir, env: {}, originBase: runDir, configList: () => Promise.reject(new Error('a stored record is never re-captured')) });

describe('git-trust.json read back', () => {
  it.each([
    ['not JSON', '{"schema": "buran.git-trust/v1", "files": [', 'invalid_json'],
    ['files missing', '{"schema": "buran.git-trust/v1", "folders": [], "drivers": []}', 'bad_shape'],
    ['files emptied of their digests', '{"schema": "buran.git-trust/v1", "files": [{"path": "/x/config"}], "folders": [], "drivers": []}', 'bad_shape'],
    ['another schema', '{"schema": "other", "files": [], "folders": [], "drivers": []}', 'bad_shape'],
  ])('%s: store_corrupt naming the file', async (_what, text, reason) => {
    const dir = runDirWith(text);
    await expect(open(dir)).rejects.toMatchObject({ code: 'store_corrupt', details: { path: join(dir, GIT_TRUST_FILE), reason } });
  });

  it('a whole record opens', async () => {
    const dir = runDirWith(JSON.stringify({ schema: 'buran.git-trust/v1', files: [{ path: join(tmpdir(), 'no-such-config'), digest: null }], folders: [], drivers: ['lfs'] }));
    const opened = await open(dir);
    expect(opened.guard.check()).toBeNull();
  });
});
