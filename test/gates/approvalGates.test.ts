import { describe, expect, it } from 'vitest';
import type { ApprovalGate } from '../../src/domain/packet.js';
import { approvalsFor } from '../../src/gates/approvalGates.js';

const gate = (name: string, paths?: string[], onReject: 'fix' | 'end' = 'fix'): ApprovalGate => ({ name, before: 'handoff', onReject, ...(paths === undefined ? {} : { when: { paths } }) });

describe('approvalsFor', () => {
  it('keeps the packet order; a gate without when.paths always applies', () => {
    expect(approvalsFor([gate('legal', undefined, 'end'), gate('security')], ['README.md'])).toEqual({
      pending: [
        { name: 'legal', onReject: 'end', matched: [] },
        { name: 'security', onReject: 'fix', matched: [] },
      ],
      skipped: [],
    });
  });

  it('applies a when.paths gate only when a changed file matches, naming the files, and skips it otherwise', () => {
    const gates = [gate('auth', ['src/auth/**']), gate('docs', ['docs'])];
    expect(approvalsFor(gates, ['src/auth/token.ts', 'src/auth/keys/a.pem', 'src/ui.ts'])).toEqual({
      pending: [{ name: 'auth', onReject: 'fix', matched: ['src/auth/token.ts', 'src/auth/keys/a.pem'] }],
      skipped: [{ name: 'docs', paths: ['docs'] }],
    });
    // A glob covers everything below what it matches, as scope globs do.
    expect(approvalsFor(gates, ['docs/guide/intro.md']).pending.map((p) => p.name)).toEqual(['docs']);
  });
});
