// A lowdb Adapter over the durable write primitive.
//
// Why not lowdb's own JSONFile adapter (via steno): it writes through one fixed
// temp name (`.<file>.tmp`), so two processes clobber each other's temp file;
// it never fsyncs the file or the directory, so a power loss can leave an
// empty or old file after a "successful" write; and its read() returns null
// on a missing file, which Low turns into the defaults - a deleted store
// silently becomes an empty one. This adapter uses a unique temp name, fsyncs
// both, and reports a missing file as store_corrupt unless told a missing file
// is expected.
import type { Adapter } from 'lowdb';
import { writeFileDurable } from '../platform/durableWrite.js';
import { readJsonIfPresent, serializeJson } from './jsonDocument.js';
import { storeCorrupt } from './storeErrors.js';

export interface DurableJsonAdapterOptions<T> {
  readonly path: string;
  /** Check the parsed JSON; throw (preferably store_corrupt) when it has the wrong shape. */
  readonly parse: (value: unknown, path: string) => T;
  /**
   * Whether a missing file is expected right now (only for a store that was
   * just initialised). Asked on every read; when false, missing is store_corrupt.
   */
  readonly missingIsFresh: () => boolean;
}

/**
 * `new Low(createDurableJsonAdapter({ path, parse, missingIsFresh }), defaults)`.
 * read() returns null (so Low keeps its defaults) only when `missingIsFresh()`.
 */
export function createDurableJsonAdapter<T>(options: DurableJsonAdapterOptions<T>): Adapter<T> {
  const { path, parse, missingIsFresh } = options;
  return {
    async read() {
      const found = await readJsonIfPresent(path);
      if (found === null) {
        if (missingIsFresh()) return null;
        throw storeCorrupt(path, 'missing', 'store file is missing');
      }
      return parse(found.value, path);
    },
    async write(data) {
      await writeFileDurable(path, serializeJson(data, path));
    },
  };
}
