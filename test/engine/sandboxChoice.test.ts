import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sandboxSummary, sandboxWord } from '../../src/engine/sandboxChoice.js';
import { statusLines } from '../../src/cli/format.js';
import { probeBwrap } from '../../src/sandbox/index.js';

describe('sandbox summary', () => {
  it('names bwrap and its path, and says when the network is cut', () => {
    expect(sandboxSummary({ kind: 'bwrap', network: true, note: 'bwrap (/usr/bin/bwrap)' })).toBe('sandbox: bwrap (/usr/bin/bwrap)');
    expect(sandboxSummary({ kind: 'bwrap', network: false, note: 'bwrap (/usr/bin/bwrap)' })).toBe('sandbox: bwrap (/usr/bin/bwrap), no network');
  });

  it('says "unsandboxed" with the reason, for auto without bwrap and for sandbox: none', () => {
    expect(sandboxSummary({ kind: 'none', network: true, note: 'unsandboxed: bwrap (bubblewrap) is not installed in /usr/bin' })).toBe('unsandboxed: bwrap (bubblewrap) is not installed in /usr/bin');
    expect(sandboxSummary({ kind: 'none', network: true, note: 'trusted' })).toBe('unsandboxed: trusted');
    expect(sandboxWord({ kind: 'none' })).toBe('unsandboxed');
  });

  it('says when a required sandbox was unavailable, and when none was decided yet', () => {
    expect(sandboxSummary({ kind: 'unavailable', network: true, note: 'sandbox: required, but …' })).toBe('sandbox unavailable: sandbox: required, but …');
    expect(sandboxSummary(null)).toMatch(/^sandbox: not decided yet/);
    expect([sandboxWord({ kind: 'bwrap' }), sandboxWord({ kind: 'unavailable' }), sandboxWord(null)]).toEqual(['bwrap', 'unavailable', '?']);
  });

  it('is a line of `buran status --run`', () => {
    const lines = statusLines({
      runId: 'r1',
      status: 'running',
      stage: 'active.implementing',
      epoch: 1,
      currentTask: null,
      blocker: null,
      nextSafeAction: { text: 'wait', command: null },
      tasks: [],
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, unknownAttempts: 0 },
      updatedAt: null,
      sandbox: { mode: 'auto', kind: 'none', network: true, note: 'unsandboxed: no bwrap' },
      driver: null,
      reviews: [],
      setup: [],
      approvals: null,
      decisions: [],
      unconfirmed: [],
      agents: {},
    });
    expect(lines).toContain('  unsandboxed: no bwrap');
  });
});

describe('probeBwrap', () => {
  it('with an explicit path that holds no executable: no sandbox, and says where it looked', async () => {
    expect(await probeBwrap('/nonexistent/bwrap')).toEqual({ ok: false, reason: 'bwrap is not an executable file at /nonexistent/bwrap (BURAN_BWRAP)' });
  });

  it.runIf(existsSync('/usr/bin/bwrap'))('with an explicit path to a working bwrap: that bwrap', async () => {
    expect(await probeBwrap('/usr/bin/bwrap')).toEqual({ ok: true, path: '/usr/bin/bwrap' });
  });
});
