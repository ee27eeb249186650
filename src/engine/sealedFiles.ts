// The run records besides run.json that the runner binds by digest (seal.ts),
// read as stored: what status shows of the sandbox, and the trusted git configuration.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../platform/errno.js';
import { GIT_TRUST_FILE } from '../workspace/gitTrust.js';
import { SANDBOX_RECORD_FILE } from './sandboxChoice.js';

/** The run records besides run.json that the runner binds by digest: what status shows of the sandbox, and the trusted git configuration. */
export async function readSealedFiles(runDir: string): Promise<Record<string, Uint8Array | null>> {
  const files: Record<string, Uint8Array | null> = {};
  for (const name of [SANDBOX_RECORD_FILE, GIT_TRUST_FILE]) {
    files[name] = await readFile(join(runDir, name)).catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return null;
      throw error;
    });
  }
  return files;
}
