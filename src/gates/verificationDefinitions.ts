/**
 * The files that define what the verification commands check. A worker that
 * changes one could make a failing check pass without fixing anything, so a
 * change to any of them is a policy violation, never something to fix. Pure.
 */

/** Test-runner, build and task-runner configuration, at any depth of the repository. */
export const DEFAULT_VERIFICATION_DEFINITIONS = [
  '**/package.json',
  '**/tsconfig*.json',
  '**/vitest.config.*',
  '**/vitest.workspace.*',
  '**/vite.config.*',
  '**/jest.config.*',
  '**/.mocharc*',
  '**/karma.conf.*',
  '**/playwright.config.*',
  '**/cypress.config.*',
  '**/pytest.ini',
  '**/pyproject.toml',
  '**/setup.cfg',
  '**/tox.ini',
  '**/noxfile.py',
  '**/Makefile',
  '**/justfile',
  // Package-manager and test-runner configuration that changes what a command runs or resolves:
  // registries and scripts (.npmrc, .yarnrc*, pnpm's hook file, bun's), pytest's hooks, cargo's runners.
  '**/.npmrc',
  '**/.yarnrc',
  '**/.yarnrc.yml',
  '**/.pnpmfile.cjs',
  '**/bunfig.toml',
  '**/conftest.py',
  '**/.cargo/config',
  '**/.cargo/config.toml',
] as const;

/** File names without an extension that are still clearly files. */
const EXTENSIONLESS_FILES = new Set(['Makefile', 'GNUmakefile', 'makefile', 'justfile', 'Justfile', 'Dockerfile', 'Rakefile', 'Taskfile']);

/**
 * The repo-relative file named by one argv element, or null. Only things that
 * look like files count (an extension, a dotfile, or a well-known name), so a
 * directory argument such as `test/` or `tests/unit` does not freeze a whole
 * test tree; globs, options, absolute paths, `..` and URLs are skipped.
 */
export function fileNamedBy(arg: string): string | null {
  const value = arg.startsWith('-') ? (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : '') : arg;
  if (value === '' || value.startsWith('/') || value.includes(':') || /[*?[\]{}\s]/.test(value)) return null;
  const segments = value.split('/').filter((part) => part !== '' && part !== '.');
  if (segments.length === 0 || segments.includes('..') || value.endsWith('/')) return null;
  const last = segments.at(-1) ?? '';
  const looksLikeFile = /^[^.].*\.[A-Za-z0-9]+$/.test(last) || /^\.[^.]/.test(last) || EXTENSIONLESS_FILES.has(last);
  return looksLikeFile ? segments.join('/') : null;
}

/** The default definitions plus every file the verify commands name. Sorted, unique. */
export function verificationDefinitions(verify: readonly (readonly string[])[]): string[] {
  const named = verify.flatMap((argv) => argv.map(fileNamedBy)).filter((path): path is string => path !== null);
  return [...new Set([...DEFAULT_VERIFICATION_DEFINITIONS, ...named])].sort();
}
