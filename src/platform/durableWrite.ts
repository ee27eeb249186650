// Crash-safe file writes, async and sync. Node builtins only: the detached
// supervisor writes its attempt files with the sync variants.
//
// Replace: a unique temp file in the same directory (`.<name>.<pid>.<random>.tmp`),
// fsync it, rename it over the target, fsync the directory. Create-once: the
// same, but link(2) instead of rename(2), so the file appears whole or not at
// all and EEXIST says someone else created it first. A crash at any point
// leaves the old file or the new one, never a mix; a leftover temp file is
// harmless (readers never open temp names).
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './errno.js';

/** errno codes of a file system that cannot fsync a directory; the rename is then as durable as it gets. */
const NO_DIR_SYNC = ['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR'];
/** errno codes of link(2) on a file system without hard links. */
const NO_HARD_LINKS = ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV'];

/** A fresh temp name beside `path`; unique per process and call. */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** fsync a directory so a rename, link or unlink inside it survives a power loss. File systems that cannot sync directories are tolerated. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!NO_DIR_SYNC.includes(errnoCode(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

export interface DurableWriteOptions {
  /**
   * Create only: fail with EEXIST when the target exists (link(2) instead of
   * rename(2)). Used for write-once files: artifacts, locks, a fresh registry.
   */
  readonly exclusive?: boolean;
  /** Called once the temp file is written and synced, before it replaces the target (a crash point). */
  readonly beforeCommit?: () => void;
  /** Permission bits of the new file (e.g. an executable hook put back); default: the umask's. */
  readonly mode?: number;
}

/**
 * Replace (or, with `exclusive`, create) `path` atomically and durably. When
 * it resolves, the new content and its directory entry are on disk.
 *
 * @example
 * await writeFileDurable(join(runDir, 'snapshot.json'), text);
 * await writeFileDurable(lockPath, holder, { exclusive: true }); // EEXIST when taken
 */
export async function writeFileDurable(path: string, data: string | Uint8Array, options: DurableWriteOptions = {}): Promise<void> {
  const tmp = tempNameFor(path);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    options.beforeCommit?.();
    if (options.exclusive === true) {
      await link(tmp, path);
      await unlink(tmp);
    } else {
      await rename(tmp, path);
    }
  } catch (error) {
    // Best effort: a leftover temp file is harmless, and the write's own error is the one worth reporting.
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dirname(path));
}

/** `fsyncDir`, synchronously. */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!NO_DIR_SYNC.includes(errnoCode(error) ?? '')) throw error;
  } finally {
    closeSync(fd);
  }
}

/** `writeFileDurable` without `exclusive`, synchronously: readers see the old content or the new, never a part. */
export function writeFileDurableSync(path: string, data: string | Uint8Array): void {
  const tmp = tempNameFor(path);
  try {
    writeSyncedSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  fsyncDirSync(dirname(path));
}

/**
 * Create `path` with its full content only if it does not exist yet; false
 * when it already existed. On a file system without hard links it falls back
 * to an O_EXCL create, where a reader may briefly see the file empty.
 */
export function createFileDurableSync(path: string, data: string | Uint8Array): boolean {
  const tmp = tempNameFor(path);
  try {
    writeSyncedSync(tmp, data);
    linkSync(tmp, path);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    if (!NO_HARD_LINKS.includes(errnoCode(error) ?? '')) throw error;
    return createExclusiveSync(path, data);
  } finally {
    rmSync(tmp, { force: true });
  }
  fsyncDirSync(dirname(path));
  return true;
}

/** Append `data` to `path` (created if missing) and fsync the file before returning. */
export function appendFileDurableSync(path: string, data: string | Uint8Array): void {
  appendFileSync(path, data);
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function createExclusiveSync(path: string, data: string | Uint8Array): boolean {
  try {
    writeSyncedSync(path, data);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
  fsyncDirSync(dirname(path));
  return true;
}

function writeSyncedSync(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'wx');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
