// Before the chaos tests: build the CLI (the harness drives the real CLI,
// `node bin/buran.js`, which runs the compiled code) and open the results
// file every case is counted in. After them: print the summary table.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CaseLine {
  readonly family: string;
  readonly name: string;
  readonly passed: boolean;
  readonly [key: string]: unknown;
}

let startedAt = 0;

/**
 * A private build (tsc into node_modules/.cache/buran-chaos-<pid>/, with a copy of
 * bin/buran.js beside it): the same compiled CLI as dist/, but one that other
 * builds of the working tree cannot replace while the harness runs.
 */
function build(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const out = join(root, 'node_modules', '.cache', `buran-chaos-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'bin'), { recursive: true });
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  copyFileSync(join(root, 'bin', 'buran.js'), join(out, 'bin', 'buran.js'));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(out, 'dist')], { cwd: root, encoding: 'utf8' });
    if (r.status === 0) break;
    // Type errors (someone's half-finished edit) still emit JavaScript; retry a few times, then go on with what compiled.
    if (attempt >= 3) {
      if (!existsSync(join(out, 'dist', 'src', 'cli', 'main.js'))) throw new Error(`the build failed:\n${r.stdout}${r.stderr}`);
      process.stderr.write(`chaos: the build reported errors; using the emitted JavaScript:\n${r.stdout}\n`);
      break;
    }
    spawnSync('sleep', ['20']);
  }
  return join(out, 'bin', 'buran.js');
}

export function setup(): void {
  startedAt = Date.now();
  process.env['BURAN_CHAOS_BIN'] = build();
  const file = join(mkdtempSync(join(tmpdir(), 'buran-chaos-results-')), 'cases.jsonl');
  writeFileSync(file, '');
  process.env['BURAN_CHAOS_RESULTS'] = file;
}

export function teardown(): void {
  const bin = process.env['BURAN_CHAOS_BIN'];
  if (bin !== undefined) rmSync(dirname(dirname(bin)), { recursive: true, force: true });
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
