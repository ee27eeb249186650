import { describe, expect, it } from 'vitest';
import { type LockHolder, judgeHolder, parseLockHolder } from '../../src/platform/lockHolder.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const holder: LockHolder = { pid: 4242, startTime: 99, host: 'here', nonce: 'n1', acquiredAt: '2025-01-01T00:00:00.000Z' };

describe('parseLockHolder', () => {
  it('reads a complete holder', () => {
    expect(parseLockHolder(bytes(JSON.stringify(holder)), 'here')).toEqual(holder);
  });

  it('takes a holder written without host or time as this host’s', () => {
    expect(parseLockHolder(bytes('{"pid":7,"startTime":null,"nonce":"x"}'), 'here')).toEqual({ pid: 7, startTime: null, host: 'here', nonce: 'x', acquiredAt: '' });
  });

  it('is null for empty, NUL-filled, cut or wrong-shaped content', () => {
    for (const text of ['', '\0\0\0', '{"pid":12', '{"pid":0,"host":"x"}', '[]', '{"pid":1,"nonce":""}', '{"pid":1,"nonce":"n","startTime":"1"}']) {
      expect(parseLockHolder(bytes(text), 'here'), text).toBeNull();
    }
  });
});

describe('judgeHolder', () => {
  it('judges a corrupt lock stale', () => {
    expect(judgeHolder(null, 'here', null)).toEqual({ kind: 'stale', reason: 'corrupt' });
  });

  it('never judges another host’s holder stale', () => {
    expect(judgeHolder({ ...holder, host: 'there' }, 'here', { exists: false, startTime: null })).toEqual({ kind: 'foreign' });
  });

  it('judges a gone pid dead and a pid with another start time reused', () => {
    expect(judgeHolder(holder, 'here', { exists: false, startTime: null })).toEqual({ kind: 'stale', reason: 'dead' });
    expect(judgeHolder(holder, 'here', { exists: true, startTime: 100 })).toEqual({ kind: 'stale', reason: 'pid_reused' });
  });

  it('keeps a live holder, also when a start time cannot be compared', () => {
    expect(judgeHolder(holder, 'here', { exists: true, startTime: 99 })).toEqual({ kind: 'held' });
    expect(judgeHolder(holder, 'here', { exists: true, startTime: null })).toEqual({ kind: 'held' });
    expect(judgeHolder({ ...holder, startTime: null }, 'here', { exists: true, startTime: 5 })).toEqual({ kind: 'held' });
  });
});
