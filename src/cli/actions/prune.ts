// What `buran prune` does; its definition is in ../commands/prune.ts.
import { openProject } from '../../engine/project.js';
import { applyPrune, planPrune } from '../../engine/prune.js';
import { queuedAttempts } from '../../engine/queueRecords.js';
import { runLockHolder } from '../../store/runLock.js';
import { createGitWorkspace } from '../../workspace/workspace.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';

export async function pruneAction(io: Io, opts: { yes?: boolean; includeHandoff?: boolean; json?: boolean }): Promise<void> {
  const project = await openProject({ cwd: process.cwd() });
  const workspace = createGitWorkspace({ repoRoot: project.root, storeDir: project.storeDir });
  const { plans, skipped } = await planPrune(
    {
      runs: await project.store.listRuns(),
      stageOf: async (runId) => (await project.runner.inspect(runId)).stage,
      driven: async (runId) => (await runLockHolder(project.store.runDir(runId))) !== null,
      queuedAttempts: (runId) => queuedAttempts(project.store.runDir(runId)),
      workspace,
    },
    opts.includeHandoff === true,
  );
  const act = opts.yes === true;
  if (act) await applyPrune(workspace, plans);
  if (opts.json === true) {
    io.out(JSON.stringify({ dryRun: !act, runs: plans, skipped }));
  } else {
    const verb = act ? 'removed' : 'would remove';
    for (const p of plans) {
      io.out(`run ${p.runId} (${p.stage}):`);
      for (const w of p.worktrees) io.out(`  ${verb} worktree ${w}`);
      for (const b of p.branches) io.out(`  ${act ? 'deleted' : 'would delete'} branch ${b}`);
      for (const r of p.fetchedRefs) io.out(`  ${act ? 'deleted' : 'would delete'} ref ${r.ref}`);
      if (p.keptHandoff !== null) io.out(`  kept handoff branch ${p.keptHandoff} (--include-handoff to delete it)`);
    }
    for (const s of skipped) io.out(`skipped run ${s.runId}: ${s.reason}`);
    if (plans.length === 0) io.out('nothing to prune: no finished run has a worktree, branch or fetched attempt ref left');
    else if (!act && plans.some((p) => p.worktrees.length + p.branches.length + p.fetchedRefs.length > 0)) io.out('dry run: nothing was removed; run again with --yes to remove it');
  }
  io.exit(EXIT.ok);
}
