// What `buran inspect` does; its definition is in ../commands/inspect.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';
import { BuranError } from '../../domain/errors.js';
import { openProject } from '../../engine/project.js';
import { inspectorPage } from '../../inspect/page.js';
import { serveInspector } from '../../inspect/serve.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';
import { chooseRun } from '../runChoice.js';

const OptionsSchema = z.object({
  run: z.string().optional(),
  json: z.boolean().optional(),
  out: z.string().min(1).optional(),
  serve: z.boolean().optional(),
  port: z.coerce.number().int().min(0).max(65535).optional(),
});

function parseOptions(raw: unknown): z.output<typeof OptionsSchema> {
  const parsed = OptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BuranError({
      code: 'invalid_input',
      message: `--${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      nextSafeAction: { text: 'See the options of the command.', command: 'buran inspect --help' },
    });
  }
  if (parsed.data.port !== undefined && parsed.data.serve !== true) {
    throw new BuranError({ code: 'invalid_input', message: '--port needs --serve', details: { port: parsed.data.port } });
  }
  return parsed.data;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function inspectAction(io: Io, raw: unknown): Promise<void> {
  const opts = parseOptions(raw);
  const project = await openProject({ cwd: process.cwd() });
  const runId = await chooseRun(project, opts.run, io);
  const json = opts.json === true;
  if (opts.serve !== true || opts.out !== undefined) {
    const file = resolve(opts.out ?? join(project.storeDir, 'inspect', `${runId}.html`));
    const html = await inspectorPage(project, runId, { live: false });
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, html);
    io.out(json ? JSON.stringify({ runId, file }) : `wrote ${file}`);
  }
  if (opts.serve === true) {
    const server = await serveInspector(project, { runId, port: opts.port ?? 0 });
    io.out(json ? JSON.stringify({ runId, url: server.url }) : `serving run ${runId} at ${server.url} (Ctrl-C to stop)`);
    const signal = await untilSignal();
    await server.close();
    io.out(json ? JSON.stringify({ runId, stopped: signal }) : `stopped (${signal})`);
  }
  io.exit(EXIT.ok);
}
