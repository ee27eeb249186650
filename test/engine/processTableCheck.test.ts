import { describe, expect, it } from 'vitest';
import { BLOCKER_CODES } from '../../src/domain/blockers.js';
import { checkProcessTable } from '../../src/engine/processTableCheck.js';
import { createPosixProcessTable } from '../../src/platform/posixProcessTable.js';
import { createProcessFacts, systemProcessFacts } from '../../src/platform/process.js';
import { unavailableProcessTable } from '../../src/platform/processTable.js';

describe('checkProcessTable', () => {
  it('passes where the system process table can be read', () => {
    expect(checkProcessTable(systemProcessFacts)).toEqual({ status: 'ok' });
  });

  it('blocks as platform_unsupported, saying what to install, where ps does not answer', () => {
    const outcome = checkProcessTable(createProcessFacts(createPosixProcessTable({ ps: '/nonexistent/ps' })));
    expect(outcome).toMatchObject({ status: 'platform_unsupported', details: { processTable: 'posix' } });
    expect(outcome.status !== 'ok' && outcome.message).toMatch(/tried: ps.*\/bin\/ps or \/usr\/bin\/ps.*no worker was started/);
    expect(Object.keys(BLOCKER_CODES)).toContain(outcome.status);
  });

  it('blocks where there is no process table at all', () => {
    expect(checkProcessTable(createProcessFacts(unavailableProcessTable))).toMatchObject({ status: 'platform_unsupported', details: { processTable: 'none' } });
  });
});
