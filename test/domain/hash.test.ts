import { describe, expect, it } from 'vitest';
import { checkPacket } from '../../src/domain/checkPacket.js';
import { canonicalJson, contentHash, packetHash, sha256 } from '../../src/domain/hash.js';
import { packet } from '../fixtures/packets/build.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"e":2,"f":1}]},"b":1}');
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
  });

  it('leaves out undefined fields, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak \u2028' })).toBe(JSON.stringify({ 'k"': 'line\nbreak \u2028' }));
  });

  it('uses toJSON, as JSON.stringify does', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', 1n],
    ['a function', () => 1],
    ['undefined in an array', [undefined]],
  ])('throws on %s instead of changing it silently', (_name, value) => {
    expect(() => canonicalJson({ value })).toThrow(TypeError);
  });

  it('throws on a cycle but accepts a shared, non-cyclic object', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });
});

describe('contentHash', () => {
  it('is sha256 of the canonical JSON, prefixed with the algorithm', () => {
    // sha256 of the two bytes "{}"
    expect(contentHash({})).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('does not depend on key order', () => {
    expect(contentHash({ a: 1, b: [1, 2] })).toBe(contentHash({ b: [1, 2], a: 1 }));
  });

  it('changes when any value changes', () => {
    expect(contentHash({ a: [1, 2] })).not.toBe(contentHash({ a: [2, 1] }));
  });
});

describe('sha256', () => {
  it('is sha256:<64 hex> of the bytes, a string hashing as its UTF-8 bytes', () => {
    expect(sha256('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256('hello ✓')).toBe(sha256(new TextEncoder().encode('hello ✓')));
  });

  it('is the digest contentHash takes of canonical JSON', () => {
    expect(contentHash({ b: 1, a: 2 })).toBe(sha256('{"a":2,"b":1}'));
  });
});

describe('packetHash', () => {
  it('hashes the defaults-applied packet, so leaving out a default gives the same hash', () => {
    const implicit = checkPacket(packet()).packet;
    const explicit = checkPacket(packet({ base: 'HEAD', review: { reviewer: 'builtin' }, limits: {} })).packet;
    if (implicit === null || explicit === null) throw new Error('fixture packets should be valid');
    expect(packetHash(explicit)).toBe(packetHash(implicit));
  });

  it('changes when the packet changes after approval', () => {
    const approved = checkPacket(packet()).packet;
    const edited = checkPacket(packet({ verify: [['npm', 'test', '--', '--passWithNoTests']] })).packet;
    if (approved === null || edited === null) throw new Error('fixture packets should be valid');
    expect(packetHash(edited)).not.toBe(packetHash(approved));
  });
});
