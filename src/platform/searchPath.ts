// PATH as buran lets a process search it: absolute folders only. A relative
// entry (`.`, `node_modules/.bin`, an empty one) is searched from the process's
// working directory — a worktree, i.e. the worker's own files — so it would let
// the worker supply the tool buran or a verification command runs.
import { delimiter, isAbsolute } from 'node:path';

/** The absolute folders of a PATH value, in order (empty and relative entries dropped). */
export function absoluteFolders(path: string): string[] {
  return path.split(delimiter).filter((dir) => dir !== '' && isAbsolute(dir));
}

/** A PATH value without its relative folders; undefined stays undefined. */
export function absolutePath(path: string | undefined): string | undefined {
  return path === undefined ? undefined : absoluteFolders(path).join(delimiter);
}
