// Content addressing for artifacts: `sha256:<hex>` of the exact bytes
// (domain/hash.ts `sha256`; strings are stored as UTF-8).
import { assertArtifactHash } from './storeErrors.js';

/** The bytes of an artifact (a copy, so later changes by the caller do not leak in). */
export function artifactBytes(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
}

/** The hex part of a valid artifact hash (invalid_input otherwise); safe as a file name. */
export function artifactHex(hash: string): string {
  assertArtifactHash(hash);
  return hash.slice('sha256:'.length);
}
