// What `buran demo` does; its definition is in ../commands/demo.ts.
import { runDemo } from '../../engine/demo.js';
import { EXIT } from '../exitCodes.js';
import { eventLine } from '../format.js';
import type { Io } from '../io.js';
import { exitForStatus } from '../runExit.js';

export async function demoAction(io: Io, opts: { json?: boolean }): Promise<void> {
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
}
