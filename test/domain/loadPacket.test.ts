import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packetHash } from '../../src/domain/hash.js';
import { MAX_PACKET_BYTES, loadPacket, parsePacketText } from '../../src/domain/loadPacket.js';
import type { Problem } from '../../src/domain/problems.js';
import { packet } from '../fixtures/packets/build.js';

const fixtures = fileURLToPath(new URL('../fixtures/packets/', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'buran-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function onlyProblem(problems: readonly Problem[]): Problem {
  expect(problems).toHaveLength(1);
  const [problem] = problems;
  if (problem === undefined) throw new Error('expected one problem');
  return problem;
}

describe('loadPacket', () => {
  it('reads the same packet from JSON and YAML to equal packets with equal hashes', async () => {
    const fromJson = await loadPacket(join(fixtures, 'two-tasks.json'));
    const fromYaml = await loadPacket(join(fixtures, 'two-tasks.yaml'));
    expect(fromJson.problems).toEqual([]);
    expect(fromYaml.problems).toEqual([]);
    expect(fromYaml.packet).toEqual(fromJson.packet);
    expect(fromJson.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fromYaml.hash).toBe(fromJson.hash);
    expect(fromJson.file).toBe(join(fixtures, 'two-tasks.json'));
  });

  it('hashes the packet with defaults applied, so spelling a default out changes nothing', async () => {
    const fromJson = await loadPacket(join(fixtures, 'two-tasks.json'));
    if (fromJson.packet === null) throw new Error('fixture should be valid');
    const explicit = parsePacketText(JSON.stringify({ ...fromJson.packet }), 'explicit.json');
    expect(explicit.packet).not.toBeNull();
    if (explicit.packet === null) return;
    expect(packetHash(explicit.packet)).toBe(fromJson.hash);
  });

  it('reports a missing file as a not_found problem instead of throwing', async () => {
    const result = await loadPacket(join(dir, 'nope.yaml'));
    expect(result).toMatchObject({ packet: null, hash: null });
    expect(onlyProblem(result.problems)).toMatchObject({ path: '(root)', code: 'not_found' });
  });

  it('reports a directory as unreadable', async () => {
    expect(onlyProblem((await loadPacket(dir)).problems).code).toBe('unreadable');
  });

  it('refuses a file over the size limit before reading it', async () => {
    const file = join(dir, 'big.yaml');
    await writeFile(file, `# ${'x'.repeat(MAX_PACKET_BYTES)}\n`);
    const problem = onlyProblem((await loadPacket(file)).problems);
    expect(problem.code).toBe('too_large');
    expect(problem.message).toContain(String(MAX_PACKET_BYTES));
  });

  it('refuses a file that is not UTF-8', async () => {
    const file = join(dir, 'latin1.yaml');
    await writeFile(file, Buffer.from([0x74, 0x69, 0x74, 0x6c, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
    expect(onlyProblem((await loadPacket(file)).problems).code).toBe('invalid_encoding');
  });

  it('returns no hash when the packet has problems', async () => {
    const file = join(dir, 'weak.json');
    await writeFile(file, JSON.stringify(packet({ verify: [] })));
    const result = await loadPacket(file);
    expect(result.hash).toBeNull();
    expect(result.problems.map((p) => p.path)).toEqual(['verify']);
  });
});

describe('parsePacketText', () => {
  it('treats text starting with { as JSON whatever the file name', () => {
    expect(parsePacketText(JSON.stringify(packet()), 'packet.txt').problems).toEqual([]);
  });

  it('accepts a byte order mark', () => {
    expect(parsePacketText(`\uFEFF${JSON.stringify(packet())}`, 'p.json').problems).toEqual([]);
  });

  it('reports malformed JSON at the root with line and column', () => {
    const problem = onlyProblem(parsePacketText('{\n  "schema": "buran.packet/v1",\n  "id": \n}', 'p.json').problems);
    expect(problem).toMatchObject({ path: '(root)', code: 'parse_error' });
    expect(problem.message).toBe("invalid JSON: Unexpected token '}' (line 4, column 1)");
  });

  it('locates an unexpected token that V8 reports without a position', () => {
    const text = '{\n  "a": 1,\n  "b": [1, 2,]\n}';
    expect(onlyProblem(parsePacketText(text, 'p.json').problems).message).toBe("invalid JSON: Unexpected token ']' (line 3, column 14)");
  });

  it('reports truncated JSON at its end', () => {
    expect(onlyProblem(parsePacketText('{"schema": "buran.packet/v1"', 'p.json').problems).message).toMatch(/^invalid JSON: .*\(line 1, column 29\)$/);
  });

  it('reports malformed YAML at the root with line and column', () => {
    const problem = onlyProblem(parsePacketText('schema: buran.packet/v1\ntasks: [a\nid: x\n', 'p.yaml').problems);
    expect(problem).toMatchObject({ path: '(root)', code: 'parse_error' });
    expect(problem.message).toMatch(/invalid YAML: .*\(line \d+, column \d+\)/);
  });

  it('rejects duplicate YAML keys at the duplicated field, with its line', () => {
    const problem = onlyProblem(parsePacketText('schema: buran.packet/v1\nid: one\ntitle: T\nid: two\n', 'p.yaml').problems);
    expect(problem).toMatchObject({ path: 'id', code: 'duplicate_key' });
    expect(problem.message).toMatch(/line 4, column 1/);
  });

  it('finds a duplicate YAML key inside a task', () => {
    const text = 'tasks:\n  - id: a\n    title: A\n    id: b\n';
    expect(onlyProblem(parsePacketText(text, 'p.yaml').problems)).toMatchObject({ path: 'tasks[0].id', code: 'duplicate_key' });
  });

  it('rejects duplicate JSON keys at the duplicated field', () => {
    const text = JSON.stringify(packet()).replace('"id":"a"', '"id":"a","id":"z"');
    const problem = onlyProblem(parsePacketText(text, 'p.json').problems);
    expect(problem).toMatchObject({ path: 'tasks[0].id', code: 'duplicate_key' });
  });

  it('does not mistake repeated keys in different objects, or quotes inside strings, for duplicates', () => {
    const text = JSON.stringify(packet({ goal: 'say "id": "x", {"id": 1}' }));
    expect(parsePacketText(text, 'p.json').problems).toEqual([]);
  });

  it('rejects keys that collide once they become field names, such as 1 and "1"', () => {
    expect(onlyProblem(parsePacketText('limits:\n  1: a\n  "1": b\n', 'p.yaml').problems)).toMatchObject({ path: 'limits["1"]', code: 'duplicate_key' });
  });

  it('rejects a YAML map key that is not a plain scalar', () => {
    expect(onlyProblem(parsePacketText('? [a, b]\n: 1\n', 'p.yaml').problems)).toMatchObject({ path: '(root)', code: 'parse_error' });
  });

  it('reads a large YAML mapping (40 000 keys) as a mapping: no parse error, only schema problems', () => {
    // How fast is a bench question; a quadratic reader would make this test run for minutes.
    const text = Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`).join('\n');
    const { problems } = parsePacketText(text, 'p.yaml');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.filter((p) => p.code === 'parse_error')).toEqual([]);
  });

  it('rejects a __proto__ key in YAML', () => {
    const text = 'schema: buran.packet/v1\n__proto__:\n  polluted: true\n';
    const problems = parsePacketText(text, 'p.yaml').problems;
    expect(problems[0]).toMatchObject({ path: '__proto__', code: 'forbidden_key' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects a __proto__ key in JSON', () => {
    const text = JSON.stringify(packet()).replace('{', '{"__proto__":{"polluted":true},');
    expect(onlyProblem(parsePacketText(text, 'p.json').problems)).toMatchObject({ path: '__proto__', code: 'forbidden_key' });
  });

  it('stops a YAML alias expansion bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    const problem = onlyProblem(parsePacketText(bomb, 'p.yaml').problems);
    expect(problem).toMatchObject({ path: '(root)', code: 'parse_error' });
    expect(problem.message).toMatch(/alias/i);
  });

  it('refuses deeply nested YAML and JSON before building it', () => {
    expect(onlyProblem(parsePacketText('['.repeat(100_000), 'p.yaml').problems).code).toBe('too_deep');
    expect(onlyProblem(parsePacketText('- '.repeat(5_000) + 'x', 'p.yaml').problems).code).toBe('too_deep');
    expect(onlyProblem(parsePacketText('['.repeat(100_000) + ']'.repeat(100_000), 'p.json').problems).code).toBe('too_deep');
  });

  it('rejects a YAML file holding more than one document', () => {
    expect(onlyProblem(parsePacketText('id: a\n---\nid: b\n', 'p.yaml').problems).code).toBe('parse_error');
  });

  it('rejects YAML with an unknown tag instead of guessing', () => {
    expect(onlyProblem(parsePacketText('id: !shell "rm -rf /"\n', 'p.yaml').problems).code).toBe('parse_error');
  });

  it('reports an empty file', () => {
    expect(onlyProblem(parsePacketText(' \n', 'p.yaml').problems)).toMatchObject({ code: 'parse_error', message: 'the file is empty' });
  });

  it('lists at most 20 syntax problems and counts the rest', () => {
    const problems = parsePacketText(']\n'.repeat(100), 'p.yaml').problems;
    expect(problems).toHaveLength(21);
    expect(problems.at(-1)).toMatchObject({ code: 'too_many_problems', message: '80 more syntax problems not listed' });
  });
});
