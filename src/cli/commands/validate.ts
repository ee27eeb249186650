import type { Command } from 'commander';
import { formatProblem } from '../../domain/problems.js';
import { loadPacket } from '../../domain/loadPacket.js';
import { docPath } from '../../platform/packageRoot.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';

/** `buran validate <packet>`: every problem with its field path; exit 2 when invalid. */
export function registerValidate(program: Command, io: Io): void {
  program
    .command('validate')
    .description('Check a packet (JSON or YAML): shape and sufficiency; prints every problem with its field path.')
    .argument('<packet>', 'packet file (.json, .yaml or .yml)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  buran validate packet.yaml')
    .action(async (file: string, opts: { json?: boolean }) => {
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
    });
}
