// The code of `buran doctor` (defined in ../commands/doctor.ts): check every run
// folder and the index; with --fix, quarantine what cannot be proven and rebuild
// the index. Works when the index is lost or broken (it never opens the project
// the usual way, which would refuse).
import { join } from 'node:path';
import { type DoctorFix, type DoctorReport, diagnose, fixDoctor } from '../../engine/doctor.js';
import { repoRootOf } from '../../engine/project.js';
import { DEFAULT_STORE_DIR } from '../../store/initStore.js';
import { createGitWorkspace, createScopeLocks } from '../../workspace/index.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';

function printReport(io: Io, r: DoctorReport): void {
  const index = r.index.state === 'ok' ? 'index runs.json: ok' : `index runs.json: ${r.index.state} (${r.index.reason ?? ''})`;
  io.out(index);
  if (r.index.state === 'ok') {
    for (const id of r.index.unlisted) io.out(`  run ${id} has a folder but is not in the index`);
    for (const id of r.index.stale) io.out(`  the index names run ${id}, which has no folder`);
  }
  for (const run of r.runs) {
    const head = run.verdict === 'proven' ? `run ${run.runId}: ok (${run.status ?? '?'})` : run.verdict === 'driven' ? `run ${run.runId}: driven by pid ${run.lockHolderPid ?? '?'} (not checked)` : `run ${run.runId}: cannot be proven`;
    io.out(head);
    for (const p of run.problems) io.out(`  [${p.code}] ${p.file}: ${p.reason}`);
    for (const n of run.notes) io.out(`  note: ${n.file}: ${n.reason}`);
  }
  for (const name of r.ignored) io.out(`ignored runs/${name} (not a run folder)`);
  for (const l of r.leftovers) {
    io.out(`left by run ${l.runId} (${l.stage}):`);
    for (const w of l.worktrees) io.out(`  worktree ${w}`);
    for (const b of l.branches) io.out(`  branch ${b}`);
    if (l.keptHandoff !== null) io.out(`  handoff branch ${l.keptHandoff} (the handed-off work)`);
    if (l.scopeLock !== null) io.out(`  scope lock ${l.scopeLock.join(', ')}`);
    if (l.lockFile) io.out('  run lock file (its driver is gone)');
    for (const pid of l.processes ?? []) io.out(`  process ${pid}`);
  }
  if (r.leftovers.some((l) => l.worktrees.length + l.branches.length > 0)) io.out('worktrees and branches of finished runs: buran prune lists and removes them');
}

function printFix(io: Io, f: DoctorFix): void {
  for (const q of f.quarantined) io.out(`moved run ${q.runId} to ${q.to} (reason.json says why)`);
  for (const id of f.leftInPlace) io.out(`left run ${id} in place: a process drives it now`);
  if (f.indexRebuilt) io.out(`rebuilt the index runs.json from the run folders${f.indexMovedTo === null ? '' : `; the previous one is kept as ${f.indexMovedTo}`}`);
}

export async function doctorAction(io: Io, opts: { fix?: boolean; json?: boolean }): Promise<void> {
  const root = await repoRootOf(process.cwd());
  const storeDir = join(root, DEFAULT_STORE_DIR);
  const src = { root, storeDir, workspace: createGitWorkspace({ repoRoot: root, storeDir }), scopes: createScopeLocks({ storeDir }) };
  const report = await diagnose(src);
  const fix = opts.fix === true ? await fixDoctor(src, report) : null;
  if (opts.json === true) io.out(JSON.stringify({ report, fix }));
  else {
    printReport(io, report);
    if (fix !== null) printFix(io, fix);
    else if (report.needsFix) io.out('nothing was changed; buran doctor --fix repairs what is listed above');
    else io.out('the store is healthy');
  }
  const unfinished = fix === null ? report.needsFix : fix.leftInPlace.length > 0;
  io.exit(unfinished ? EXIT.needsRepair : EXIT.ok);
}
