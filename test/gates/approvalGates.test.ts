import { describe, expect, it } from 'vitest';
import type { ApprovalGate } from '../../src/domain/packet.js';
import { type ChangeFacts, approvalsFor } from '../../src/gates/approvalGates.js';

const gate = (name: string, paths?: string[], onReject: 'fix' | 'end' = 'fix'): ApprovalGate => ({ name, before: 'handoff', onReject, ...(paths === undefined ? {} : { when: { paths } }) });
const facts = (changedFiles: string[], more: Partial<ChangeFacts> = {}): ChangeFacts => ({ changedFiles, dependencies: [], pullRequest: false, ...more });
const lodash = { manifest: 'package.json', added: ['lodash'], unreadable: null };

describe('approvalsFor', () => {
  it('keeps the packet order; a gate without when.paths always applies', () => {
    expect(approvalsFor([gate('legal', undefined, 'end'), gate('security')], facts(['README.md']))).toEqual({
      pending: [
        { name: 'legal', onReject: 'end', matched: [] },
        { name: 'security', onReject: 'fix', matched: [] },
      ],
      skipped: [],
    });
  });

  it('applies a when.paths gate only when a changed file matches, naming the files, and skips it otherwise', () => {
    const gates = [gate('auth', ['src/auth/**']), gate('docs', ['docs'])];
    expect(approvalsFor(gates, facts(['src/auth/token.ts', 'src/auth/keys/a.pem', 'src/ui.ts']))).toEqual({
      pending: [{ name: 'auth', onReject: 'fix', matched: ['src/auth/token.ts', 'src/auth/keys/a.pem'] }],
      skipped: [{ name: 'docs', paths: ['docs'], reason: 'no changed file matches docs' }],
    });
    // A glob covers everything below what it matches, as scope globs do.
    expect(approvalsFor(gates, facts(['docs/guide/intro.md'])).pending.map((p) => p.name)).toEqual(['docs']);
  });

  it('a when.dependencies gate applies when the change adds a dependency (or a manifest cannot be read), naming them, and is skipped otherwise', () => {
    const deps: ApprovalGate = { name: 'deps', before: 'handoff', onReject: 'fix', when: { dependencies: true } };
    expect(approvalsFor([deps], facts(['package.json'], { dependencies: [lodash] }))).toEqual({
      pending: [{ name: 'deps', onReject: 'fix', matched: [], dependencies: [lodash] }],
      skipped: [],
    });
    const unreadable = { manifest: 'go.mod', added: [], unreadable: 'go.mod could not be read' };
    expect(approvalsFor([deps], facts(['go.mod'], { dependencies: [unreadable] })).pending[0]?.dependencies).toEqual([unreadable]);
    expect(approvalsFor([deps], facts(['package.json']))).toEqual({ pending: [], skipped: [{ name: 'deps', paths: [], reason: 'the change adds no dependency' }] });
  });

  it('any one condition is enough: paths or dependencies', () => {
    const both: ApprovalGate = { name: 'both', before: 'handoff', onReject: 'fix', when: { paths: ['src/auth/**'], dependencies: true } };
    expect(approvalsFor([both], facts(['src/auth/a.ts'])).pending.map((p) => p.matched)).toEqual([['src/auth/a.ts']]);
    expect(approvalsFor([both], facts(['package.json'], { dependencies: [lodash] })).pending.map((p) => p.name)).toEqual(['both']);
    expect(approvalsFor([both], facts(['README.md'])).skipped).toEqual([{ name: 'both', paths: ['src/auth/**'], reason: 'no changed file matches src/auth/**; the change adds no dependency' }]);
  });

  it('a before: pullRequest gate applies only when the handoff opens a pull request; `by` travels with the pending gate', () => {
    const pr: ApprovalGate = { name: 'release', before: 'pullRequest', onReject: 'end', by: ['alice', 'bob'] };
    expect(approvalsFor([pr], facts(['a.ts'], { pullRequest: true }))).toEqual({ pending: [{ name: 'release', onReject: 'end', matched: [], by: ['alice', 'bob'] }], skipped: [] });
    expect(approvalsFor([pr], facts(['a.ts']))).toEqual({
      pending: [],
      skipped: [{ name: 'release', paths: [], reason: 'the handoff opens no pull request (config policy.pullRequest.enabled is false)' }],
    });
  });
});
