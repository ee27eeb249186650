// Finding a worker's executable the way the supervisor's spawn will: a path
// with a `/`, or a bare name on the PATH the worker will have.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { absoluteFolders } from '../platform/searchPath.js';

/** PATH a spawned process searches when its environment has none (libuv's default). */
export const DEFAULT_SEARCH_PATH = '/usr/bin:/bin';

/** The folders a bare name is searched in: the runner's PATH when the worker is allowed it, else libuv's default. */
export function workerSearchDirs(env: Readonly<Record<string, string | undefined>>, pathAllowed: boolean): string[] {
  // Relative folders are dropped: they would be searched in the worktree, where the worker's files are (the spawn gets the same PATH, see confine.ts).
  return absoluteFolders((pathAllowed ? env['PATH'] : undefined) ?? DEFAULT_SEARCH_PATH);
}

/** The first executable file `name` in `dirs` (relative folders against `cwd`), or null. */
export async function findOnPath(name: string, dirs: readonly string[], cwd: string): Promise<string | null> {
  for (const dir of dirs) {
    const path = resolve(cwd, dir, name);
    if (await isExecutableFile(path)) return path;
  }
  return null;
}

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false; // missing or not executable: both mean "not this one"
  }
}
