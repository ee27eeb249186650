// `buran machine export`: print (or write) one chart in an exact format.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { BuranError } from '../../domain/errors.js';
import { EXPORT_FORMATS, MACHINE_NAMES, exportMachine } from '../../export/index.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';

const ExportOptions = z.object({
  json: z.boolean().optional(),
  machine: z.enum(MACHINE_NAMES),
  format: z.enum(EXPORT_FORMATS),
  out: z.string().min(1).optional(),
});

function badOption(issues: readonly z.core.$ZodIssue[]): BuranError {
  const problems = issues.map((i) => `--${i.path.join('.')}: ${i.message}`);
  return new BuranError({
    code: 'invalid_input',
    message: `machine export: ${problems.join('; ')}`,
    details: { problems },
    nextSafeAction: { text: `Use --machine ${MACHINE_NAMES.join('|')} and --format ${EXPORT_FORMATS.join('|')}.`, command: 'buran machine export --machine run --format json' },
  });
}

export function registerMachine(program: Command, io: Io): void {
  const machine = program.command('machine').description('The statecharts themselves (machines/run.machine.ts, machines/task.machine.ts).');
  machine
    .command('export')
    .description('Export a chart exactly, from its config: every state, transition (eventless too), guard, action, invoked and spawned actor.')
    .option('--machine <name>', MACHINE_NAMES.join(' | '), 'run')
    .option('--format <format>', EXPORT_FORMATS.join(' | '), 'json')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--json', 'the chart as JSON (same as --format json); with --out, print {"file", "machine", "format"}')
    .addHelpText('after', '\nExamples:\n  buran machine export > run.json\n  buran machine export --machine task --format mermaid\n  buran machine export --format dot --out run.dot && dot -Tsvg run.dot > run.svg')
    .action(async (raw: Record<string, unknown>) => {
      const json = raw['json'] === true;
      const parsed = ExportOptions.safeParse(json ? { ...raw, format: 'json' } : raw);
      if (!parsed.success) throw badOption(parsed.error.issues);
      const { machine: name, format, out } = parsed.data;
      const text = exportMachine(name, format);
      if (out === undefined) {
        io.out(text.trimEnd());
      } else {
        const file = resolve(out);
        try {
          await writeFile(file, text);
        } catch (error) {
          throw new BuranError({ code: 'invalid_input', message: `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, details: { file }, cause: error });
        }
        io.out(json ? JSON.stringify({ file, machine: name, format }) : `wrote ${file} (${name} chart, ${format})`);
      }
      io.exit(EXIT.ok);
    });
}
