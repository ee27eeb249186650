import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), exit: () => undefined };
}

const fixture = 'test/fixtures/packets/two-tasks.yaml';

describe('buran CLI, in process', () => {
  it('validates a sufficient packet with exit 0 and prints its hash', async () => {
    const io = capture();
    expect(await main(['node', 'buran', 'validate', fixture], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/sha256:[0-9a-f]{64}/);
  });

  it('rejects an insufficient packet with exit 2 and names each field path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'buran-cli-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ schema: 'buran.packet/v1', id: 'x', bogus: 1 }));
    const io = capture();
    expect(await main(['node', 'buran', 'validate', file], io)).toBe(2);
    const text = io.errors.join('\n');
    expect(text).toContain('title:');
    expect(text).toContain('bogus');
  });

  it('points an invalid packet at the packet doc of the installed package, which exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'buran-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'schema: buran.packet/v1\nid: x\nverify: "npm test"\n');
    const io = capture();
    expect(await main(['node', 'buran', 'validate', file], io)).toBe(2);
    const text = io.errors.join('\n');
    expect(text).toContain('verify: expected array, got string; write it as a list of commands, each an argv list (no shell), e.g. verify: [[npm, test]]');
    const doc = /documented in (\S+)$/m.exec(text)?.[1];
    expect(doc).toBe(resolve('docs/packet.md'));
    expect(existsSync(doc ?? '')).toBe(true);
  });

  it('prints the package version for --version and -V', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const io = capture();
      expect(await main(['node', 'buran', flag], io)).toBe(0);
      expect(io.lines).toEqual([version]);
    }
  });

  it('reports a missing packet file as bad input (exit 2)', async () => {
    const io = capture();
    expect(await main(['node', 'buran', 'validate', '/nonexistent/packet.yaml', '--json'], io)).toBe(2);
    const result = JSON.parse(io.lines.join('')) as { valid: boolean; problems: { code: string }[] };
    expect(result.valid).toBe(false);
    expect(result.problems[0]?.code).toBe('not_found');
  });

  it('prints the packet JSON Schema', async () => {
    const io = capture();
    expect(await main(['node', 'buran', 'schema', 'packet'], io)).toBe(0);
    const schema = JSON.parse(io.lines.join('\n')) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain('tasks');
  });

  it('treats an unknown command or schema name as bad input (exit 2)', async () => {
    expect(await main(['node', 'buran', 'nope'], capture())).toBe(2);
    expect(await main(['node', 'buran', 'schema', 'nope'], capture())).toBe(2);
  });

});

describe('buran CLI, as a real subprocess', () => {

  it('exits 0 on a valid packet and 2 on an invalid one', () => {
    expect(spawnSync('node', ['bin/buran.js', 'validate', fixture]).status).toBe(0);
    const bad = spawnSync('node', ['bin/buran.js', 'validate', 'package.json'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('invalid packet');
  });
});
