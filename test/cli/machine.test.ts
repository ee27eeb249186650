import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { exportMachine } from '../../src/export/index.js';

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), exit: () => undefined };
}

describe('buran machine export', () => {
  it('prints the run chart as JSON by default', async () => {
    const io = capture();
    expect(await main(['node', 'buran', 'machine', 'export'], io)).toBe(0);
    const doc = JSON.parse(io.lines.join('\n')) as { format: string; id: string; transitions: { event: string }[] };
    expect(doc.format).toBe('buran.chart/v1');
    expect(doc.id).toBe('run');
    expect(doc.transitions.some((t) => t.event === 'always')).toBe(true);
  });

  it('prints the chart and format asked for, exactly as the library renders it', async () => {
    const io = capture();
    expect(await main(['node', 'buran', 'machine', 'export', '--machine', 'task', '--format', 'mermaid'], io)).toBe(0);
    expect(`${io.lines.join('\n')}\n`).toBe(exportMachine('task', 'mermaid'));
  });

  it('writes --out and says where', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'buran-export-')), 'run.scxml');
    const io = capture();
    expect(await main(['node', 'buran', 'machine', 'export', '--format', 'scxml', '--out', file], io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(exportMachine('run', 'scxml'));
    expect(io.lines).toEqual([`wrote ${file} (run chart, scxml)`]);
  });

  it('rejects an unknown format or machine as bad input (exit 2, invalid_input, next safe action)', async () => {
    for (const args of [['--format', 'png'], ['--machine', 'workflow']]) {
      const io = capture();
      expect(await main(['node', 'buran', 'machine', 'export', ...args], io)).toBe(2);
      expect(io.errors[0]).toMatch(/^error \[invalid_input\]: machine export: --(format|machine): /);
      expect(io.errors.join('\n')).toContain('buran machine export --machine run --format json');
      expect(io.lines).toEqual([]);
    }
  });

  it('reports a file it cannot write as bad input (exit 2)', async () => {
    const io = capture();
    const file = join(mkdtempSync(join(tmpdir(), 'buran-export-')), 'missing-dir', 'run.json');
    expect(await main(['node', 'buran', 'machine', 'export', '--out', file], io)).toBe(2);
    expect(io.errors[0]).toContain(`error [invalid_input]: cannot write ${file}`);
  });
});

describe('buran machine export, as a real subprocess', () => {

  it('prints the dot export with exit 0, and exits 2 on a bad format', () => {
    const ok = spawnSync(process.execPath, ['bin/buran.js', 'machine', 'export', '--format', 'dot'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(exportMachine('run', 'dot'));
    const bad = spawnSync(process.execPath, ['bin/buran.js', 'machine', 'export', '--format', 'svg'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('error [invalid_input]');
  });
});
