// buran's own installed files: the package folder, its version, its docs.
// Node builtins only; works from src/ (tests, tsx) and from dist/src/ (installed).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Manifest {
  readonly name?: string;
  readonly version?: string;
}

function manifestAt(dir: string): Manifest | null {
  const file = join(dir, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : null;
}

/**
 * The folder of buran's own package.json.
 * @example
 * cpSync(join(packageRoot(), 'examples', 'greeting'), repo, { recursive: true });
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (manifestAt(dir)?.name === 'buran') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('buran: cannot find the package root (package.json named "buran")');
    dir = parent;
  }
}

/** buran's version, from its package.json. */
export function packageVersion(): string {
  return manifestAt(packageRoot())?.version ?? '0.0.0';
}

/**
 * Where a doc page of the installed package is, for hints (`packet.md` -> `<package>/docs/packet.md`);
 * `docs/<page>` when the package folder cannot be found.
 */
export function docPath(page: string): string {
  try {
    return join(packageRoot(), 'docs', page);
  } catch {
    return `docs/${page}`; // an unusual layout (a bundle): the page name still tells the reader what to open
  }
}
