// What `buran status` does; its definition is in ../commands/runs.ts. Without
// --run it reads the run index alone (no charts, no effects are loaded); with
// --run it is the checked view in ./statusRun.ts.
import { sandboxWord } from '../../engine/sandboxChoice.js';
import { openProjectStore } from '../../engine/projectStore.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';

export async function statusAction(io: Io, opts: { run?: string; json?: boolean; exitStatus?: boolean }): Promise<void> {
  if (opts.run !== undefined) {
    await (await import('./statusRun.js')).statusRunAction(io, { ...opts, run: opts.run });
    return;
  }
  // The runs as their drivers last recorded them; an entry no driver has indexed yet
  // (an index older than its state fields) is read in full. `status --run` is the checked view.
  const { store } = await openProjectStore(process.cwd());
  const rows = await Promise.all((await store.listRuns()).map(async (r) => (r.stage === null ? { ...r, ...(await (await import('./statusRun.js')).checkedFields(r.runId)) } : r)));
  if (opts.json === true) io.out(JSON.stringify(rows.map((r) => ({ runId: r.runId, packetId: r.packetId, status: r.status, stage: r.stage, epoch: r.epoch, blockerCode: r.blockerCode, createdAt: r.createdAt, updatedAt: r.updatedAt, sandbox: r.sandbox }))));
  else if (rows.length === 0) io.out('no runs yet: buran approve <packet>');
  // One write for the whole list: a line per write was a tenth of the time at 1,000 runs.
  else io.out(rows.map((r) => `${r.runId}  ${r.status}  ${r.stage ?? '?'}  ${r.packetId}  ${sandboxWord(r.sandbox === null ? null : { kind: r.sandbox })}${r.blockerCode === null ? '' : `  ${r.blockerCode}`}`).join('\n'));
  io.exit(EXIT.ok);
}
