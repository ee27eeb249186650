// The store of the project that contains a folder, without the runner: for
// commands that only read the run index (`buran status` without --run), so
// they load neither the charts nor the effects.
import { resolve } from 'node:path';
import { BuranError } from '../domain/errors.js';
import { createFileStore, initStore } from '../store/index.js';
import { git } from '../workspace/git.js';

/** The repository root containing `dir`, or a clear error outside a git repository. */
export async function repoRootOf(dir: string): Promise<string> {
  const r = await git(resolve(dir), ['rev-parse', '--show-toplevel']);
  if (r.exitCode !== 0) {
    throw new BuranError({
      code: 'not_a_git_repo',
      message: `${resolve(dir)} is not inside a git repository`,
      details: { dir: resolve(dir) },
      nextSafeAction: { text: 'Run buran inside the repository the work is for (git init first for a new one).', command: null },
    });
  }
  return r.stdout.trim();
}

/**
 * The repository root, its `.buran/` folder (created if needed) and its store.
 * @example
 * const runs = await (await openProjectStore(process.cwd())).store.listRuns();
 */
export async function openProjectStore(cwd: string) {
  const root = await repoRootOf(cwd);
  const { storeDir } = await initStore(root);
  return { root, storeDir, store: createFileStore({ root }) };
}
