// What `buran validate` does; its definition is in ../commands/validate.ts.
import { formatProblem } from '../../domain/problems.js';
import { loadPacket } from '../../domain/loadPacket.js';
import { docPath } from '../../platform/packageRoot.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';

export async function validateAction(io: Io, file: string, opts: { json?: boolean }): Promise<void> {
  const loaded = await loadPacket(file);
  const valid = loaded.packet !== null && loaded.problems.length === 0;
  if (opts.json === true) {
    io.out(JSON.stringify({ valid, file: loaded.file, hash: loaded.hash, problems: loaded.problems }));
  } else if (valid) {
    io.out(`ok: ${loaded.file} is a sufficient packet (${loaded.hash ?? ''})`);
  } else {
    io.err(`invalid packet ${loaded.file}:`);
    for (const p of loaded.problems) io.err(`  ${formatProblem(p)}`);
    io.err(`fix the fields named above; the packet format is documented in ${docPath('packet.md')}`);
  }
  io.exit(valid ? EXIT.ok : EXIT.badInput);
}
