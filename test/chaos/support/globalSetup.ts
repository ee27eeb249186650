// Before the chaos tests: build dist/ (the harness drives the real CLI,
// `node bin/buran.js`, which runs the compiled code) and open the results
// file every case is counted in. After them: print the summary table.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface CaseLine {
  readonly family: string;
  readonly name: string;
  readonly passed: boolean;
  readonly [key: string]: unknown;
}

let startedAt = 0;

export function setup(): void {
  startedAt = Date.now();
  // Others may be editing the tree: a failed build is retried once after a pause.
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'pipe'] });
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      execFileSync('sleep', ['20']);
    }
  }
  const file = join(mkdtempSync(join(tmpdir(), 'buran-chaos-results-')), 'cases.jsonl');
  writeFileSync(file, '');
  process.env['BURAN_CHAOS_RESULTS'] = file;
}

export function teardown(): void {
  const file = process.env['BURAN_CHAOS_RESULTS'];
  if (file === undefined) return;
  const cases = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CaseLine);
  const families = new Map<string, { tried: number; passed: number; kills: number }>();
  for (const c of cases) {
    const f = families.get(c.family) ?? { tried: 0, passed: 0, kills: 0 };
    f.tried += 1;
    if (c.passed) f.passed += 1;
    if (typeof c['kills'] === 'number') f.kills += c['kills'];
    families.set(c.family, f);
  }
  const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
  const lines = [`chaos summary (${process.env['CHAOS_PROFILE'] === 'ci' ? 'ci' : 'full'} profile, ${minutes} min, cases in ${file}):`, '| family | cases tried | passed | kills |', '|---|---|---|---|'];
  for (const [name, f] of [...families].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`| ${name} | ${f.tried} | ${f.passed} | ${f.kills} |`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
