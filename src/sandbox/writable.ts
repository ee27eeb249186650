// The operator's extra writable folders (config `sandbox.writable`, `buran
// worker --writable`): real paths, and never one that holds or lies in a
// folder confined processes must not write (the repository, the run store,
// a worker agent's clones and records).
import { realpath } from 'node:fs/promises';
import { BuranError } from '../domain/errors.js';
import { isWithin } from './bwrap.js';

/**
 * `paths` as real paths; a missing folder is skipped (as bwrap would), one that overlaps a `guarded` folder is refused
 * (`invalid_input`, naming `setting`).
 * @example
 * await writableFolders(['/srv/npm-cache'], ['/srv/buran-agent'], 'buran worker --writable'); // ['/srv/npm-cache']
 */
export async function writableFolders(paths: readonly string[], guarded: readonly string[], setting: string): Promise<string[]> {
  const real: string[] = [];
  for (const path of paths) {
    const folder = await realpath(path).catch(() => null);
    if (folder === null) continue;
    if (guarded.some((dir) => isWithin(folder, dir) || isWithin(dir, folder))) {
      throw new BuranError({ code: 'invalid_input', message: `${setting}: ${path} overlaps ${guarded.join(' or ')}, which confined processes must never write`, details: { path, guarded } });
    }
    real.push(folder);
  }
  return real;
}
