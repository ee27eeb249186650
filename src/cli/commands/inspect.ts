// buran inspect: the run inspector page, written to a file or served live.
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';
import { runIdOption } from '../options.js';

export function registerInspect(program: Command, io: Io): void {
  program
    .command('inspect')
    .description('Write the run inspector: one offline HTML page with the run and task charts, the current state, the blocker and a history you can step through. --serve serves it on 127.0.0.1, updating live.')
    .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
    .option('--json', 'print {"file": "..."} and {"url": "..."} lines instead of text')
    .option('--out <file>', 'where to write the page (default: .buran/inspect/<id>.html)')
    .option('--serve', 'serve the page on 127.0.0.1 and keep it live until Ctrl-C')
    .option('--port <n>', 'port for --serve (default: any free port)')
    .addHelpText('after', '\nExamples:\n  buran inspect --run add-greeting-xyz\n  buran inspect --run add-greeting-xyz --out run.html\n  buran inspect --run add-greeting-xyz --serve --port 8417')
    .action(lazyAction(io, async () => (await import('../actions/inspect.js')).inspectAction));
}
