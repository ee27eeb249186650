// The durability preflight's judgement and refusal, without a Redis: what
// CONFIG GET answers is data here.
import { describe, expect, it } from 'vitest';
import { isBuranError } from '../../src/domain/errors.js';
import { type ConfigReader, checkRedisDurability, judgeDurability, redactUrl } from '../../src/queue/durability.js';

const durable = { appendonly: 'yes', appendfsync: 'always', 'maxmemory-policy': 'noeviction' };
const reader = (settings: Record<string, string>): ConfigReader => ({
  config: (_sub, name) => Promise.resolve(name in settings ? [name, settings[name]] : []),
});

describe('Redis durability preflight', () => {
  it('accepts appendonly yes, appendfsync always and maxmemory-policy noeviction (any case)', async () => {
    expect(judgeDurability(durable)).toEqual([]);
    expect(judgeDurability({ ...durable, appendonly: 'YES' })).toEqual([]);
    await expect(checkRedisDurability(reader(durable), 'redis://h:6379')).resolves.toBeUndefined();
  });

  it('names every setting that is wrong or not reported, with the value to set', () => {
    const problems = judgeDurability({ appendonly: 'no', appendfsync: 'everysec' });
    expect(problems.map((p) => [p.setting, p.actual, p.want])).toEqual([
      ['appendonly', 'no', 'yes'],
      ['appendfsync', 'everysec', 'always'],
      ['maxmemory-policy', null, 'noeviction'],
    ]);
  });

  it('refuses with queue_not_durable, a message naming each setting and the command that fixes it, and no password', async () => {
    const error = await checkRedisDurability(reader({ ...durable, appendfsync: 'everysec' }), 'redis://:s3cret@h:6379').catch((e: unknown) => e);
    expect(isBuranError(error) && error.code).toBe('queue_not_durable');
    if (!isBuranError(error)) return;
    expect(error.message).toContain('appendfsync is everysec (set always');
    expect(error.message).not.toContain('s3cret');
    expect(error.nextSafeAction?.text).toContain('CONFIG SET appendfsync always');
  });

  it('refuses with queue_unavailable when CONFIG cannot be read (it cannot tell, so it does not guess)', async () => {
    const denied: ConfigReader = { config: () => Promise.reject(new Error("ERR unknown command 'CONFIG'")) };
    const error = await checkRedisDurability(denied, 'redis://h:6379').catch((e: unknown) => e);
    expect(isBuranError(error) && error.code).toBe('queue_unavailable');
  });

  it('keeps passwords out of URLs it prints', () => {
    expect(redactUrl('redis://user:pw@h:6379/0')).toBe('redis://user:***@h:6379/0');
    expect(redactUrl('not a url')).toBe('<not a url>');
  });
});
