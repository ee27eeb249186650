import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { PacketSchema, SlugSchema, gitRefProblem } from '../../src/domain/packet.js';
import { packet, task } from '../fixtures/packets/build.js';

describe('PacketSchema', () => {
  it('applies the defaults for base, review, limits and dependsOn', () => {
    const parsed = PacketSchema.parse(packet({ tasks: [task('a')] }));
    expect(parsed.base).toBe('HEAD');
    expect(parsed.review).toEqual({ reviewer: 'builtin' });
    expect(parsed.limits).toEqual(DEFAULT_LIMITS);
    expect(parsed.tasks[0]?.dependsOn).toEqual([]);
  });

  it('fills in limits an author leaves out and keeps the ones given', () => {
    const parsed = PacketSchema.parse(packet({ limits: { maxAttempts: 5 } }));
    expect(parsed.limits).toEqual({ ...DEFAULT_LIMITS, maxAttempts: 5 });
  });

  it('gives every parse its own default arrays', () => {
    const first = PacketSchema.parse(packet({ tasks: [task('a')] }));
    first.tasks[0]?.dependsOn.push('x');
    const second = PacketSchema.parse(packet({ tasks: [task('a')] }));
    expect(second.tasks[0]?.dependsOn).toEqual([]);
  });

  it('rejects unknown fields in every object', () => {
    const input = {
      ...packet(),
      tasks: [{ ...task('a'), extra: 1 }],
      worker: { adapter: 'command', extra: 1 },
      review: { reviewer: 'builtin', extra: 1 },
      limits: { extra: 1 },
      policy: { extra: 1 },
    };
    const result = PacketSchema.safeParse(input);
    expect(result.success).toBe(false);
    const unknown = result.error?.issues.filter((issue) => issue.code === 'unrecognized_keys').map((issue) => issue.path.join('.'));
    expect(unknown?.sort()).toEqual(['limits', 'policy', 'review', 'tasks.0', 'worker']);
  });

  it('accepts any adapter name that is a slug, for workers and reviewers', () => {
    const parsed = PacketSchema.parse(packet({ worker: { adapter: 'my-agent-2' }, review: { reviewer: 'codex' } }));
    expect(parsed.worker.adapter).toBe('my-agent-2');
    expect(parsed.review.reviewer).toBe('codex');
  });

  it('rejects a schema value other than buran.packet/v1', () => {
    expect(PacketSchema.safeParse({ ...packet(), schema: 'buran.packet/v2' }).success).toBe(false);
  });

  it('rejects an empty verify command and an empty argument', () => {
    expect(PacketSchema.safeParse(packet({ verify: [[]] })).success).toBe(false);
    expect(PacketSchema.safeParse(packet({ verify: [['npm', '']] })).success).toBe(false);
    expect(PacketSchema.safeParse(packet({ verify: [['npm\0', 'test']] })).success).toBe(false);
  });

  it('rejects a non-positive estimate', () => {
    expect(PacketSchema.safeParse(packet({ tasks: [task('a', { estimateMin: 0 })] })).success).toBe(false);
  });
});

describe('SlugSchema', () => {
  it.each(['a', 'add-greeting', '0day', 'a'.repeat(64)])('accepts %s', (slug) => {
    expect(SlugSchema.safeParse(slug).success).toBe(true);
  });

  it.each(['', '-a', 'A', 'a_b', 'a.b', '../x', 'a/b', ';rm -rf', 'a b', '$(x)', 'a'.repeat(65), 'constructor', 'prototype', '__proto__'])(
    'rejects %j',
    (slug) => {
      expect(SlugSchema.safeParse(slug).success).toBe(false);
    },
  );
});

describe('gitRefProblem', () => {
  it.each(['HEAD', 'main', 'origin/main', 'release/1.2', 'v1.0.0', 'abc123def'])('accepts %s', (ref) => {
    expect(gitRefProblem(ref)).toBeNull();
  });

  it.each(['-main', 'a..b', 'a b', 'HEAD~1', 'HEAD^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', 'a\tb', 'a\u0001', '@', 'a@{1}', 'a//b', '/main', 'a/', 'a.', 'a.lock', '.hidden', 'a/.b'])(
    'rejects %j',
    (ref) => {
      expect(gitRefProblem(ref)).not.toBeNull();
    },
  );

  it('is applied to the packet base', () => {
    expect(PacketSchema.safeParse(packet({ base: '--upload-pack=x' })).success).toBe(false);
    expect(PacketSchema.safeParse(packet({ base: '' })).success).toBe(false);
  });
});
