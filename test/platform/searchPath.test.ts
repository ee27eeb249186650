import { describe, expect, it } from 'vitest';
import { absoluteFolders, absolutePath } from '../../src/platform/searchPath.js';
import { gitEnv } from '../../src/workspace/git.js';
import { workerSearchDirs } from '../../src/worker/findExecutable.js';

describe('PATH without relative folders (one rule for git, workers and verification)', () => {
  const path = '.:/usr/local/bin::node_modules/.bin:/usr/bin:bin:/opt/tools';

  it('keeps the absolute folders in order and drops empty and relative ones', () => {
    expect(absoluteFolders(path)).toEqual(['/usr/local/bin', '/usr/bin', '/opt/tools']);
    expect(absolutePath(path)).toBe('/usr/local/bin:/usr/bin:/opt/tools');
    expect(absolutePath(undefined)).toBeUndefined();
  });

  it('is what buran gives its own git and searches for a worker executable', () => {
    expect(gitEnv({ name: 'n', email: 'e@x' }, { PATH: path })['PATH']).toBe('/usr/local/bin:/usr/bin:/opt/tools');
    expect(workerSearchDirs({ PATH: path }, true)).toEqual(['/usr/local/bin', '/usr/bin', '/opt/tools']);
  });
});
