import { describe, expect, it } from 'vitest';
import { parseNameStatus, parseZeroContextDiff, unquoteGitPath } from '../../src/workspace/diffParse.js';
import { parseShortstat } from '../../src/workspace/workspace.js';

describe('parseNameStatus', () => {
  it('maps git status letters to added, modified and deleted, sorted by path', () => {
    expect(parseNameStatus('M\0b.ts\0A\0a b.ts\0D\0c.ts\0T\0link\0')).toEqual([
      { path: 'a b.ts', status: 'added' },
      { path: 'b.ts', status: 'modified' },
      { path: 'c.ts', status: 'deleted' },
      { path: 'link', status: 'modified' },
    ]);
    expect(parseNameStatus('')).toEqual([]);
  });
});

describe('parseZeroContextDiff', () => {
  it('reads added line numbers from -U0 hunks and is not fooled by a removed line that looks like a header', () => {
    const patch = [
      'diff --git a/x.txt b/x.txt',
      'index 1..2 100644',
      '--- a/x.txt',
      '+++ b/x.txt',
      '@@ -2 +2 @@',
      '--- removed line that starts with dashes',
      '+++ added line that starts with pluses',
      '@@ -9,0 +10,2 @@',
      '+ten',
      '+eleven',
      '\\ No newline at end of file',
      'diff --git a/gone.txt b/gone.txt',
      'deleted file mode 100644',
      '--- a/gone.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-bye',
      'diff --git "a/t\\tab.txt" "b/t\\tab.txt"',
      '--- "a/t\\tab.txt"',
      '+++ "b/t\\tab.txt"',
      '@@ -0,0 +1 @@',
      '+x',
      'diff --git a/bin.png b/bin.png',
      'Binary files a/bin.png and b/bin.png differ',
    ].join('\n');
    expect(parseZeroContextDiff(patch)).toEqual([
      { path: 'gone.txt', addedLines: [] },
      { path: 't\tab.txt', addedLines: [1] },
      { path: 'x.txt', addedLines: [2, 10, 11] },
    ]);
  });
});

describe('unquoteGitPath', () => {
  it('decodes C-style escapes and octal UTF-8 bytes', () => {
    expect(unquoteGitPath('"caf\\303\\251 \\"q\\".txt"')).toBe('café "q".txt');
    expect(unquoteGitPath('plain.txt')).toBe('plain.txt');
  });
});

describe('parseShortstat', () => {
  it('reads files, insertions and deletions, any of which may be absent', () => {
    expect(parseShortstat(' 3 files changed, 10 insertions(+), 1 deletion(-)')).toEqual({ filesChanged: 3, insertions: 10, deletions: 1 });
    expect(parseShortstat(' 1 file changed, 1 deletion(-)')).toEqual({ filesChanged: 1, insertions: 0, deletions: 1 });
    expect(parseShortstat('')).toEqual({ filesChanged: 0, insertions: 0, deletions: 0 });
  });
});
