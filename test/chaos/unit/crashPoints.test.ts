// The crash point switch itself (part of npm test; the harness that uses it is test/chaos/*.test.ts).
import { describe, expect, it } from 'vitest';
import { CRASH_POINTS, crashPointsFrom, noCrash, parseCrashSpec } from '../../../src/chaos/crashPoints.js';

describe('crash points', () => {
  it('are inert unless BURAN_CRASH_AT or BURAN_FAULT_AT is set', () => {
    expect(crashPointsFrom({})).toBe(noCrash);
    expect(crashPointsFrom({ BURAN_CRASH_AT: '' })).toBe(noCrash);
  });

  it('kill on the nth hit of the named point only', () => {
    const kills: string[] = [];
    const crash = crashPointsFrom({ BURAN_CRASH_AT: 'events.after-append:3' }, { kill: () => kills.push('kill') });
    crash('events.after-append');
    crash('snapshot.mid-write');
    crash('events.after-append');
    expect(kills).toEqual([]);
    crash('events.after-append');
    expect(kills).toEqual(['kill']);
    crash('events.after-append');
    expect(kills).toEqual(['kill']);
  });

  it('inject ENOSPC with BURAN_FAULT_AT', () => {
    const crash = crashPointsFrom({ BURAN_FAULT_AT: 'snapshot.mid-write' });
    expect(() => crash('snapshot.mid-write')).toThrow(expect.objectContaining({ code: 'ENOSPC' }) as Error);
    expect(() => crash('snapshot.mid-write')).not.toThrow();
  });

  it('refuse unknown points and bad counts, so a typo cannot silently disable a case', () => {
    expect(() => parseCrashSpec('BURAN_CRASH_AT', 'dispatch.befor-intent')).toThrow(expect.objectContaining({ code: 'invalid_input' }) as Error);
    expect(() => parseCrashSpec('BURAN_CRASH_AT', 'dispatch.before-intent:0')).toThrow();
    expect(() => parseCrashSpec('BURAN_CRASH_AT', 'dispatch.before-intent:x')).toThrow();
    expect(parseCrashSpec('BURAN_CRASH_AT', 'merge.after-merge:2')).toEqual({ point: 'merge.after-merge', nth: 2 });
    expect(new Set(CRASH_POINTS).size).toBe(CRASH_POINTS.length);
  });
});
