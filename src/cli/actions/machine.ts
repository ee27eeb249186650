// What `buran machine export` does; its definition is in ../commands/machine.ts.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { BuranError } from '../../domain/errors.js';
import { exportMachine } from '../../export/index.js';
import { EXPORT_FORMATS, MACHINE_NAMES } from '../../export/names.js';
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

export async function exportAction(io: Io, raw: Record<string, unknown>): Promise<void> {
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
}
