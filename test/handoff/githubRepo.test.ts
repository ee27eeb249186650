import { describe, expect, it } from 'vitest';
import { githubRepoOf } from '../../src/handoff/githubRepo.js';

describe('githubRepoOf', () => {
  it.each([
    ['https://github.com/acme/widgets.git', 'acme/widgets'],
    ['https://github.com/acme/widgets', 'acme/widgets'],
    ['https://token@github.com/acme/widgets.git', 'acme/widgets'],
    ['git@github.com:acme/widgets.git', 'acme/widgets'],
    ['ssh://git@github.com/acme/my.repo.git', 'acme/my.repo'],
  ])('%s → %s', (url, repo) => {
    expect(githubRepoOf(url)).toBe(repo);
  });

  it.each(['https://gitlab.com/acme/widgets.git', '/srv/git/widgets.git', 'https://github.com/acme', 'https://github.com/acme/../x', 'https://github.com/acme/..'])(
    'is null for %s',
    (url) => {
      expect(githubRepoOf(url)).toBeNull();
    },
  );
});
