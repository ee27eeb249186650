// The handoff effect: the run branch's tip read once, the report built from
// the run as its driver holds it, and a pull request pushing that commit by id
// when policy enables it. A lost lease is the run's to handle (it blocks lease_lost), not
// a failed handoff.
import { join } from 'node:path';
import type { HandoffOutcome, LeaseInfo } from '../../machines/run.types.js';
import type { CrashPoint } from '../chaos/crashPoints.js';
import type { Config } from '../domain/config.js';
import { isBuranError } from '../domain/errors.js';
import { EventRecordSchema } from '../domain/events.js';
import type { Packet } from '../domain/packet.js';
import { openPullRequest } from '../handoff/pullRequest.js';
import type { RunStore } from '../store/port.js';
import { readBranchTip } from '../workspace/index.js';
import { runChanges } from './changes.js';
import type { Clock } from './clock.js';
import type { RunAccess } from './effects.js';
import { gatherReasons } from './reasons.js';
import { attemptAgents } from './queueRecords.js';
import { buildReport, reportMarkdown } from './report.js';

export interface HandoffDeps {
  readonly repoRoot: string;
  readonly runId: string;
  readonly store: RunStore;
  readonly packet: Packet;
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly redact: (text: string) => string;
  /** The run's sandbox record, shown in the report. */
  readonly sandboxRecord: Parameters<typeof buildReport>[4];
  /** The run's lease (the run branch and worktree), re-validated. */
  readonly lease: () => Promise<LeaseInfo>;
  readonly current: RunAccess['current'];
  readonly crash?: CrashPoint;
}

/**
 * Hand the run off: report, then (policy permitting) a pull request of the recorded commit.
 * @example
 * const outcome = await performHandoff({ repoRoot, runId, store, packet, config, env, clock, redact, sandboxRecord, lease, current });
 */
export async function performHandoff(d: HandoffDeps): Promise<HandoffOutcome> {
  const { runId, store, packet, config, env, clock, redact, lease } = d;
  try {
    const runLease = await lease();
    // The handoff is this commit, read once: recorded, reported and (with a pull request) pushed by id,
    // so a branch moved from here on is noticed later (handoff_moved) and never pushed in its place.
    const tip = await readBranchTip(d.repoRoot, runLease.branch);
    if (tip === null) return { status: 'failed', message: `the run branch ${runLease.branch} does not exist`, details: { runId, branch: runLease.branch } };
    const snap = d.current();
    if (snap === null) return { status: 'failed', message: `run ${runId}: the handoff ran before its driver restored the run`, details: { runId } };
    const events = (await store.readEvents(runId)).map((e) => EventRecordSchema.parse(e));
    const reasons = await gatherReasons(snap, null, { runId, getArtifact: (id, hash) => store.getArtifact(id, hash), runDir: store.runDir(runId), redact });
    const changes = await runChanges(d.repoRoot, snap, { base: runLease.baseCommit, branch: runLease.branch, commit: tip.commit }, redact);
    const report = buildReport(snap, events, { packetId: packet.id, title: packet.title, headCommit: tip.commit, headTree: tip.tree }, null, d.sandboxRecord, { reasons, changes, agents: attemptAgents(store.runDir(runId)) });
    const reportHash = await store.putArtifact(runId, reportMarkdown(report));
    await store.putArtifact(runId, JSON.stringify(report, null, 2));
    d.crash?.('handoff.after-report');
    // Only when policy enables it for the origin's repository; intent recorded first, an open one is updated.
    const handoffDir = join(store.runDir(runId), 'handoff');
    const pr = await openPullRequest({
      policy: config.policy.pullRequest,
      repoRoot: d.repoRoot,
      branch: runLease.branch,
      commit: tip.commit,
      base: packet.base,
      title: packet.title,
      body: reportMarkdown(report),
      bodyFile: join(handoffDir, 'pull-request-body.md'),
      intentFile: join(handoffDir, 'pull-request-intent.json'),
      env,
      now: clock.now(),
    });
    if (pr.status === 'failed') return { status: 'failed', message: pr.message, details: { runId, ...pr.details } };
    return { status: 'done', handoff: { branch: runLease.branch, commit: tip.commit, tree: tip.tree, reportHash, pullRequest: pr.status === 'skipped' ? null : pr.url } };
  } catch (error) {
    // A lost lease is the run's to handle (the chart's `leaseLost` guard blocks it lease_lost), not a failed handoff.
    if (isBuranError(error) && error.code === 'lease_lost') throw error;
    return { status: 'failed', message: error instanceof Error ? error.message : String(error), details: { runId } };
  }
}
