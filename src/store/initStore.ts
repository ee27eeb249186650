// Creating the store folder. Idempotent and safe to race: every file is
// created write-once, so two processes initialising together agree.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fsyncDir, writeFileDurable } from '../platform/durableWrite.js';
import { errnoCode } from '../platform/errno.js';
import { pathExists, serializeJson } from './jsonDocument.js';
import { REGISTRY_FILE, emptyRegistry } from './registry.js';
import { indexCorrupt, storeCorrupt } from './storeErrors.js';

/** Default store folder, relative to the repository root (config `store.dir`). */
export const DEFAULT_STORE_DIR = '.buran';

export interface InitResult {
  /** Absolute path of the store folder. */
  readonly storeDir: string;
  /** True when this call created the registry (a fresh store). */
  readonly created: boolean;
}

async function createOnce(path: string, content: string): Promise<boolean> {
  try {
    await writeFileDurable(path, content, { exclusive: true });
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Make sure `<root>/<dir>/` holds a store: `.gitignore` (`*`), the registry
 * `runs.json` and `runs/`. A missing registry is created only while there is
 * no `runs/` folder (nothing was ever recorded); a registry missing next to
 * recorded runs is `store_corrupt`, never silently replaced by an empty one.
 * Other files in the folder (for example `config.json`) are left alone.
 */
export async function initStore(root: string, dir: string = DEFAULT_STORE_DIR): Promise<InitResult> {
  const storeDir = resolve(root, dir);
  await mkdir(storeDir, { recursive: true });
  await createOnce(join(storeDir, '.gitignore'), '*\n');
  const registry = join(storeDir, REGISTRY_FILE);
  const runs = join(storeDir, 'runs');
  let created = false;
  if (!(await pathExists(registry))) {
    // Re-check after seeing runs/: a racing initialiser creates the registry before runs/.
    if ((await pathExists(runs)) && !(await pathExists(registry))) throw indexCorrupt(storeCorrupt(registry, 'missing', 'the run registry is missing but runs are recorded'));
    // Registry before runs/: a crash in between leaves a registry and no runs/, which the next call completes.
    created = await createOnce(registry, serializeJson(emptyRegistry(), registry));
  }
  await mkdir(runs, { recursive: true });
  await fsyncDir(storeDir);
  return { storeDir, created };
}
