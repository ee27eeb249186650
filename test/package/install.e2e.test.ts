// The package as a user gets it: `npm pack` (which builds dist/ through
// `prepare`; run on a copy of the sources, so the checkout's own dist/, which
// other tests run, is never rewritten under them), installed into a fresh project with no network, then the
// installed `buran` answers --version, points its hints at docs it ships, and
// drives the demo to handoff.
//
// Offline install: `npm install --offline <tarball>` cannot work here, because
// npm must read each dependency's registry metadata to pick versions and the
// cache holds only the tarballs `npm ci` fetched. So the temp project gets a
// lock file instead: the tarball, plus buran's production entries copied from
// this repository's package-lock.json (the exact versions the tests ran with),
// and `npm ci --offline` installs them from the npm cache.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Run {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Fails with the command's own output, so a broken step explains itself. */
function ok(result: Run, what: string): Run {
  expect(result.status, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
}

/** A project depending on the tarball, locked to this repository's production dependency tree. */
function writeProject(dir: string, tarball: string): void {
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${tarball}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'buran-install-check', version: '1.0.0', dependencies: { buran: spec } },
    'node_modules/buran': {
      version: manifest['version'],
      resolved: spec,
      integrity,
      dependencies: manifest['dependencies'],
      bin: manifest['bin'],
      engines: manifest['engines'],
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    // devOptional: needed by a production dependency's optional one as well as by a dev tool (e.g. detect-libc), so kept.
    if (path.startsWith('node_modules/') && entry.dev !== true && entry.link !== true) packages[path] = entry;
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'buran-install-check', version: '1.0.0', private: true, dependencies: { buran: spec } }, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'buran-install-check', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}

/** What `npm pack` reads and builds from: the published files' sources and the build configuration. */
const SOURCES = ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src', 'machines', 'docs', 'examples/greeting', 'scripts/bundle-cli.ts'];

/** A copy of the package sources in `dir`, with this checkout's dependencies linked in for the build. */
function copySources(dir: string): void {
  for (const entry of SOURCES) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
}

describe('the packed package', () => {
  it('installs offline into a fresh project, prints its version, ships the docs its hints name, and runs the demo to handoff', () => {
    const root = mkdtempSync(join(tmpdir(), 'buran-package-'));
    temp.push(root);
    const sources = join(root, 'sources');
    const packDir = join(root, 'pack');
    const project = join(root, 'project');
    for (const dir of [sources, packDir, project]) mkdirSync(dir);

    // `npm pack` runs `prepare`, which builds dist/ in the copy.
    copySources(sources);
    ok(run('npm', ['pack', '--pack-destination', packDir, '--silent'], sources, 600_000), 'npm pack');
    const tarball = readdirSync(packDir).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    writeProject(project, join(packDir, tarball ?? ''));
    ok(run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project, 300_000), 'npm ci --offline');

    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(ok(run('npx', ['--offline', 'buran', '--version'], project, 60_000), 'buran --version').stdout.trim()).toBe(version);

    // An invalid packet's hint names the packet doc inside the installed package, and it is there.
    writeFileSync(join(project, 'bad.yaml'), 'schema: buran.packet/v1\nid: x\nverify: "npm test"\n');
    const invalid = run('npx', ['--offline', 'buran', 'validate', 'bad.yaml'], project, 60_000);
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain('e.g. verify: [[npm, test]]');
    const doc = /documented in (\S+)$/m.exec(invalid.stderr)?.[1] ?? '';
    expect(doc).toBe(join(project, 'node_modules', 'buran', 'docs', 'packet.md'));
    expect(existsSync(doc)).toBe(true);

    const demo = ok(run('npx', ['--offline', 'buran', 'demo'], project, 300_000), 'buran demo');
    const demoRepo = /remove it when done: rm -rf (\S+)/.exec(demo.stdout)?.[1];
    if (demoRepo !== undefined) temp.push(demoRepo);
    expect(demo.stdout).toContain('status:** handoff_ready');
    // The installed CLI is the bundle (a few modules), with the supervisor beside it.
    for (const file of ['main.js', 'supervisor-main.js']) expect(existsSync(join(project, 'node_modules', 'buran', 'dist', 'cli', file)), file).toBe(true);
  }, 1_200_000);
});
