// Content addressing for artifacts: `sha256:<hex>` of the exact bytes
// (strings are stored as UTF-8).
import { createHash } from 'node:crypto';
import { assertArtifactHash } from './storeErrors.js';

/** The bytes of an artifact (a copy, so later changes by the caller do not leak in). */
export function artifactBytes(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
}

/** `sha256:<64 hex>` of the bytes. */
export function artifactHashOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The hex part of a valid artifact hash (invalid_input otherwise); safe as a file name. */
export function artifactHex(hash: string): string {
  assertArtifactHash(hash);
  return hash.slice('sha256:'.length);
}
