import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileInbox } from '../../src/engine/inbox.js';

describe('file command inbox', () => {
  it('returns posted commands in order, removes them as they are taken, and reports unreadable ones', async () => {
    const root = mkdtempSync(join(tmpdir(), 'buran-inbox-'));
    const inbox = createFileInbox((runId) => join(root, runId));
    const a = await inbox.post('r1', { type: 'PAUSE', by: 'ana', reason: 'a' });
    const b = await inbox.post('r1', { type: 'UNBLOCK', decision: 'retry', by: 'bo', reason: 'b' });
    expect(await inbox.pending('r1', a)).toBe(true);
    mkdirSync(join(root, 'r1', 'inbox'), { recursive: true });
    writeFileSync(join(root, 'r1', 'inbox', '999999999999999-zz.json'), '{"type":"DELETE_EVERYTHING"}');
    const { taken, invalid } = await inbox.take('r1');
    expect(taken.map((c) => c.id)).toEqual([a, b]);
    expect(taken[1]?.event).toEqual({ type: 'UNBLOCK', decision: 'retry', by: 'bo', reason: 'b' });
    expect(invalid.map((i) => i.id)).toEqual(['999999999999999-zz']);
    expect(await inbox.pending('r1', a)).toBe(false);
    expect((await inbox.take('r1')).taken).toEqual([]);
  });

  it('carries a decide command (gate, verdict, who, why) to the driving process, and refuses a verdict it does not know', async () => {
    const root = mkdtempSync(join(tmpdir(), 'buran-inbox-'));
    const inbox = createFileInbox((runId) => join(root, runId));
    const id = await inbox.post('r1', { type: 'DECIDE', gate: 'security', verdict: 'reject', by: 'alice', reason: 'token logged' });
    writeFileSync(join(root, 'r1', 'inbox', '999999999999999-zz.json'), '{"type":"DECIDE","gate":"security","verdict":"maybe","by":"x","reason":""}');
    const { taken, invalid } = await inbox.take('r1');
    expect(taken).toEqual([{ id, event: { type: 'DECIDE', gate: 'security', verdict: 'reject', by: 'alice', reason: 'token logged' } }]);
    expect(invalid.map((i) => i.id)).toEqual(['999999999999999-zz']);
  });
});
