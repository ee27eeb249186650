import { createHash } from 'node:crypto';
import type { Packet } from './packet.js';

/**
 * JSON with object keys sorted (by UTF-16 code unit) and no whitespace, so
 * equal data always gives the same text. Like JSON.stringify, object fields
 * that are undefined are left out and `toJSON()` is honoured; unlike it,
 * values JSON cannot represent (NaN, Infinity, bigint, functions, symbols,
 * undefined array items, cycles) throw a TypeError instead of being changed silently.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set<object>(), '(root)');
}

function write(value: unknown, ancestors: Set<object>, where: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${String(value)} at ${where} has no JSON form`);
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw new TypeError(`canonicalJson: a ${typeof value} at ${where} has no JSON form`);
  if (hasToJson(value)) return write(value.toJSON(), ancestors, where);
  if (ancestors.has(value)) throw new TypeError(`canonicalJson: cycle at ${where}`);
  ancestors.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item: unknown, i) => write(item, ancestors, `${where}[${i}]`)).join(',')}]`;
  } else {
    const fields = Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([key, field]: [string, unknown]) =>
        field === undefined ? [] : [`${JSON.stringify(key)}:${write(field, ancestors, `${where}.${key}`)}`],
      );
    text = `{${fields.join(',')}}`;
  }
  ancestors.delete(value);
  return text;
}

function hasToJson(value: object): value is { toJSON: () => unknown } {
  return 'toJSON' in value && typeof value.toJSON === 'function';
}

/**
 * `sha256:<64 hex>` of the value's canonical JSON.
 * @example
 * contentHash({ b: 1, a: 2 }) === contentHash({ a: 2, b: 1 }); // true
 */
export function contentHash(value: unknown): string {
  return sha256(canonicalJson(value));
}

/**
 * `sha256:<64 hex>` of bytes (a string is hashed as its UTF-8 bytes): the one
 * digest format of artifacts, completion and exit files, and content hashes.
 * @example
 * sha256('') // 'sha256:e3b0c442...b855'
 */
export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * The approval hash of a packet: the content hash of the parsed packet with
 * every default applied, so the same packet written as JSON or YAML, with or
 * without defaulted fields, hashes the same.
 * @example
 * packetHash(packet) === record.approval.hash; // else the run blocks with packet_tampered
 */
export function packetHash(packet: Packet): string {
  return contentHash(packet);
}
