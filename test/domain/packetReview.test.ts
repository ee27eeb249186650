import { describe, expect, it } from 'vitest';
import { checkPacket } from '../../src/domain/checkPacket.js';
import { PacketSchema, reviewPlan } from '../../src/domain/packet.js';
import { packet } from '../fixtures/packets/build.js';

const problemsOf = (review: unknown) => checkPacket(packet({ review } as never)).problems.map((p) => `${p.path}: ${p.message}`);
const two = [{ adapter: 'command', name: 'strict', command: ['node', 'strict.mjs'] }, { adapter: 'claude' }];

describe('review.reviewers and require', () => {
  it('keeps the single-reviewer form meaning what it meant: the built-in rules, then that one adapter, which must PASS', () => {
    expect(reviewPlan(PacketSchema.parse(packet()).review)).toEqual({ reviewers: [{ adapter: 'builtin', name: 'builtin' }], require: 'all' });
    expect(reviewPlan(PacketSchema.parse(packet({ review: { reviewer: 'codex' } })).review)).toEqual({ reviewers: [{ adapter: 'codex', name: 'codex' }], require: 'all' });
  });

  it('parses a quorum without adding defaults to the stored packet (approved hashes of older packets stay valid)', () => {
    const parsed = PacketSchema.parse(packet({ review: { reviewers: two, require: 1 } }));
    expect(parsed.review).toEqual({ reviewer: 'builtin', reviewers: two, require: 1 });
    expect(PacketSchema.parse(packet()).review).toEqual({ reviewer: 'builtin' });
    expect(reviewPlan(parsed.review).reviewers.map((r) => r.name)).toEqual(['strict', 'claude']);
  });

  it('refuses a require outside 1..the number of reviewers, naming the field', () => {
    expect(problemsOf({ reviewers: two, require: 3 })).toEqual(['review.require: must be "all" or a number from 1 to 2 (the number of reviewers), not 3']);
    expect(problemsOf({ reviewers: two, require: 0 }).join('\n')).toContain('review.require');
    expect(problemsOf({ reviewers: two, require: 'most' }).join('\n')).toContain('review.require');
    expect(problemsOf({ require: 1 })).toEqual(['review.require: require counts review.reviewers: give reviewers, or leave require out']);
  });

  it('refuses two reviewers with one name, both forms at once, and a built-in reviewer with a command', () => {
    expect(problemsOf({ reviewers: [{ adapter: 'command', command: ['a'] }, { adapter: 'command', command: ['b'] }] })).toEqual([
      'review.reviewers[1].name: reviewer name "command" is already used by reviewers[0]: give each reviewer of the same adapter its own name',
    ]);
    expect(problemsOf({ reviewer: 'claude', reviewers: two }).join('\n')).toContain('review.reviewer: give either review.reviewer');
    expect(problemsOf({ reviewers: [{ adapter: 'builtin', command: ['x'] }] }).join('\n')).toContain('review.reviewers[0]: the built-in reviewer takes no command');
    expect(problemsOf({ reviewers: [] }).join('\n')).toContain('review.reviewers');
  });
});
