// The README's tutorial must work when pasted: run its shell block in a temp copy of the example.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

function tutorialBlock(): string {
  const readme = readFileSync('README.md', 'utf8');
  const match = /<!-- tutorial:start -->\s*```sh\n([\s\S]*?)```\s*<!-- tutorial:end -->/.exec(readme);
  if (match?.[1] === undefined) throw new Error('README.md has no tutorial block between <!-- tutorial:start --> and <!-- tutorial:end -->');
  return match[1];
}

describe('README tutorial', () => {

  it('runs as written, from init to report', () => {
    const r = spawnSync('bash', ['-c', `set -euo pipefail\n${tutorialBlock()}`], { encoding: 'utf8', cwd: process.cwd(), env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('handoff_ready');
    expect(r.stdout).toContain('# buran run');
  }, 90_000);
});
