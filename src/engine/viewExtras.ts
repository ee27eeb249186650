// What the text and report views add to a stored run at the edge: its
// reasons (artifacts, attempt logs) and, once handed off, its changes (git).
import { secretValuesOf } from '../domain/redact.js';
import { handedOff, runChanges } from './changes.js';
import type { Project } from './project.js';
import { gatherReasons } from './reasons.js';
import { redactorOf } from './redactResults.js';
import type { ReportExtras } from './report.js';
import type { RunView } from './runner.js';
import { attemptAgents } from './queueRecords.js';

/** Reasons and changes of a run as the views show them; every text redacted with this process's secrets. */
export async function viewExtras(project: Pick<Project, 'root' | 'store'>, view: RunView, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Required<ReportExtras>> {
  const snap = { context: view.snapshot.context, children: view.snapshot.children as Readonly<Record<string, unknown>> };
  const redact = redactorOf(secretValuesOf(env));
  const reasons = await gatherReasons(snap, view.status === 'blocked' ? view.blocker : null, {
    runId: view.runId,
    getArtifact: (runId, hash) => project.store.getArtifact(runId, hash),
    runDir: project.store.runDir(view.runId),
    redact,
  });
  const target = view.status === 'handoff_ready' ? handedOff(view.snapshot.context) : null;
  return { reasons, changes: target === null ? null : await runChanges(project.root, snap, target, redact), agents: attemptAgents(project.store.runDir(view.runId)) };
}
