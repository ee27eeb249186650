// Packet policy.approvals: the gates' shape, unique names, when.paths globs
// checked like scope globs, a right form for a gate written as a string, and
// the gates taking part in the approved hash.
import { describe, expect, it } from 'vitest';
import { checkPacket } from '../../src/domain/checkPacket.js';
import { packetHash } from '../../src/domain/hash.js';
import type { PacketInput } from '../../src/domain/packet.js';
import { packet } from '../fixtures/packets/build.js';

const withGates = (approvals: unknown): unknown => ({ ...packet(), policy: { approvals } });
const problems = (raw: unknown) => checkPacket(raw).problems.map((p) => `${p.path} ${p.code}: ${p.message}`);

describe('packet policy.approvals', () => {
  it('accepts gates before handoff, with onReject defaulting to fix', () => {
    const { packet: parsed, problems: found } = checkPacket(withGates([{ name: 'security', before: 'handoff', when: { paths: ['src/auth/**'] } }, { name: 'legal', before: 'handoff', onReject: 'end' }]));
    expect(found).toEqual([]);
    expect(parsed?.policy?.approvals).toEqual([
      { name: 'security', before: 'handoff', when: { paths: ['src/auth/**'] }, onReject: 'fix' },
      { name: 'legal', before: 'handoff', onReject: 'end' },
    ]);
  });

  it('accepts a pull-request gate, a dependencies condition and who may decide; refuses an empty decider list and dependencies: false', () => {
    const { packet: parsed, problems: found } = checkPacket(withGates([{ name: 'release', before: 'pullRequest', by: ['alice'] }, { name: 'deps', before: 'handoff', when: { dependencies: true } }]));
    expect(found).toEqual([]);
    expect(parsed?.policy?.approvals).toEqual([
      { name: 'release', before: 'pullRequest', by: ['alice'], onReject: 'fix' },
      { name: 'deps', before: 'handoff', when: { dependencies: true }, onReject: 'fix' },
    ]);
    const wrong = problems(withGates([{ name: 'a', before: 'handoff', by: [] }, { name: 'b', before: 'handoff', when: { dependencies: false } }]));
    expect(wrong.some((p) => p.startsWith('policy.approvals[0].by '))).toBe(true);
    expect(wrong.some((p) => p.startsWith('policy.approvals[1].when.dependencies '))).toBe(true);
  });

  it('names the field of each wrong gate: unknown place, unknown onReject, missing name, a second gate of the same name', () => {
    const found = problems(withGates([{ name: 'security', before: 'merge' }, { before: 'handoff' }, { name: 'security', before: 'handoff', onReject: 'retry' }]));
    expect(found.some((p) => p.startsWith('policy.approvals[0].before '))).toBe(true);
    expect(found.some((p) => p.startsWith('policy.approvals[1].name '))).toBe(true);
    expect(found.some((p) => p.startsWith('policy.approvals[2].onReject '))).toBe(true);
    expect(found).toContain('policy.approvals[2].name duplicate_id: duplicate approval gate "security" (first used by policy.approvals[0]); give each gate its own name');
  });

  it('checks when.paths like scope globs: unsafe paths and unsupported syntax are refused at their index', () => {
    const found = problems(withGates([{ name: 'security', before: 'handoff', when: { paths: ['src/ok/**', '../outside', 'secrets/{x}'] } }]));
    expect(found.some((p) => p.startsWith('policy.approvals[0].when.paths[1] unsafe_path'))).toBe(true);
    expect(found.some((p) => p.startsWith('policy.approvals[0].when.paths[2] unsupported_glob'))).toBe(true);
    expect(found.some((p) => p.startsWith('policy.approvals[0].when.paths[0]'))).toBe(false);
  });

  it('gives the right form of a gate list written as a string, and of paths written as one', () => {
    expect(problems(withGates('Security Review')).join('\n')).toContain('e.g. approvals: [{ name: security-review, before: handoff }]');
    expect(problems(withGates([{ name: 'security', before: 'handoff', when: { paths: 'src/auth/** src/keys' } }])).join('\n')).toContain('e.g. paths: [src/auth/**, src/keys]');
  });

  it('is part of the approved hash: adding or changing a gate changes it', () => {
    const base: PacketInput = packet();
    const gated = { ...base, policy: { approvals: [{ name: 'security', before: 'handoff' as const }] } };
    const ending = { ...base, policy: { approvals: [{ name: 'security', before: 'handoff' as const, onReject: 'end' as const }] } };
    const hash = (raw: unknown) => {
      const parsed = checkPacket(raw).packet;
      if (parsed === null) throw new Error('packet did not check');
      return packetHash(parsed);
    };
    expect(hash(gated)).not.toBe(hash(base));
    expect(hash(ending)).not.toBe(hash(gated));
  });
});
