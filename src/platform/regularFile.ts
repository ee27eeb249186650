// Opening a file someone else may have written (a worker's output, its
// completion): a regular file only. A symbolic link is not followed and a FIFO
// or device is not waited on (O_NOFOLLOW | O_NONBLOCK, then fstat), so such a
// file can neither point a reader at another file nor hang it.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { errnoCode } from './errno.js';

export type RegularFileOpen =
  | { readonly kind: 'open'; readonly fd: number; readonly size: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'refused'; readonly why: 'a symbolic link' | 'not a regular file' };

/** Open `path` read-only if it is a regular file; the caller closes `fd`. Other errors throw. */
export function openRegularFile(path: string): RegularFileOpen {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'refused', why: 'a symbolic link' };
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isFile()) return { kind: 'open', fd, size: stats.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  closeSync(fd);
  return { kind: 'refused', why: 'not a regular file' };
}
