// The files per task merge of a handed-off run, read for all merges in one git
// process: the same as one `git diff <merge>^1 <merge>` per merge.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNamesPerCommit } from '../../src/engine/changes.js';
import { commitFiles, gitOk, initRepo, tempDir } from '../workspace/support/tempRepo.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('files per merge in one log', () => {
  it('match a first-parent diff of each merge, odd file names and a merge that changed nothing included', async () => {
    const { dir, cleanup } = await tempDir('changes');
    cleanups.push(cleanup);
    const repo = join(dir, 'repo');
    await initRepo(repo, { 'README.md': 'r\n' });
    const merges: string[] = [];
    for (const [branch, files] of [['a', { 'a.txt': 'a\n', 'sp ace/ü.txt': 'u\n' }], ['b', { 'q"uo\\te\tt.txt': 'q\n', 'b\nline.txt': 'n\n' }], ['c', {}]] as const) {
      await gitOk(repo, ['checkout', '-q', '-b', branch, 'main']);
      if (Object.keys(files).length > 0) await commitFiles(repo, files, branch);
      else await gitOk(repo, ['commit', '-q', '--allow-empty', '-m', 'nothing']);
      await gitOk(repo, ['checkout', '-q', 'main']);
      await gitOk(repo, ['merge', '-q', '--no-ff', '-m', `merge ${branch}`, branch]);
      merges.push(await gitOk(repo, ['rev-parse', 'HEAD']));
    }
    const flags = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--no-relative'];
    const parsed = parseNamesPerCommit(await gitOk(repo, ['log', '--no-walk=unsorted', '--diff-merges=first-parent', ...flags, '--name-only', '-z', '--format=%x00%H', ...merges, '--']));
    for (const merge of merges) {
      const one = (await gitOk(repo, ['diff', ...flags, '--name-only', '-z', `${merge}^1`, merge])).split('\0').filter((f) => f !== '');
      expect(parsed.get(merge)).toEqual(one);
    }
    expect(parsed.get(merges[2] ?? '')).toEqual([]);
    expect([...parsed.keys()].sort()).toEqual([...merges].sort());
  });
});
