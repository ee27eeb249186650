import type { Command } from 'commander';
import { runDemo } from '../../engine/demo.js';
import { EXIT } from '../exitCodes.js';
import { eventLine } from '../format.js';
import type { Io } from '../io.js';
import { exitForStatus } from '../runExit.js';

/**
 * `buran demo`: the embedded-default main job. A temporary git repo from
 * examples/greeting, a two-task packet, the command adapter with the example's
 * scripted agent (its first attempt at one task fails verification on
 * purpose), real `node --test` verification, the built-in reviewer, handoff.
 */
export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('Run the whole loop on a temporary copy of examples/greeting (offline, about 5 s).')
    .option('--json', 'print events as NDJSON, then {"runId", "repo", "branch", "status", "report"}')
    .addHelpText('after', '\nExample:\n  buran demo')
    .action(async (opts: { json?: boolean }) => {
      const json = opts.json === true;
      if (!json) io.out('buran demo: a two-task packet driven through a scripted agent, real verification, a fix round and handoff');
      const demo = await runDemo((e) => io.out(json ? JSON.stringify(e) : eventLine(e)));
      if (json) {
        io.out(JSON.stringify({ runId: demo.runId, repo: demo.repo, branch: `buran/${demo.runId}`, status: demo.result.status, report: demo.markdown }));
        io.exit(demo.result.status === 'handoff_ready' ? EXIT.ok : exitForStatus(demo.result.status));
        return;
      }
      io.out('');
      io.out(demo.markdown);
      io.out(`repository: ${demo.repo}`);
      io.out(`branch:     buran/${demo.runId}   (git -C ${demo.repo} log --oneline buran/${demo.runId})`);
      io.out(`remove it when done: rm -rf ${demo.repo}`);
      io.exit(demo.result.status === 'handoff_ready' ? EXIT.ok : exitForStatus(demo.result.status));
    });
}
