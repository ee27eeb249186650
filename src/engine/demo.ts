// The embedded-default main job: copy the example project into a fresh git
// repository, approve its two-task packet, drive it with the command adapter
// and the scripted agent, real verification and the built-in reviewer, and
// return the report. Offline; leaves nothing behind but the temp dir.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRecord } from '../domain/events.js';
import { BuranError } from '../domain/errors.js';
import { packageRoot } from '../platform/packageRoot.js';
import { describeGitFailure, git } from '../workspace/git.js';
import { openProject } from './project.js';
import { buildReport, reportMarkdown, type RunReport } from './report.js';
import type { DriveResult } from './runner.js';

export interface DemoResult {
  readonly repo: string;
  readonly runId: string;
  readonly result: DriveResult;
  readonly report: RunReport;
  readonly markdown: string;
}

/** The demo repository's own commits go through the one git module (pinned settings, no repository-configured programs). */
async function gitIn(cwd: string, args: string[]): Promise<void> {
  const result = await git(cwd, args, { identity: { name: 'demo', email: 'demo@localhost' } });
  if (result.exitCode !== 0) throw new BuranError({ code: 'internal', message: describeGitFailure(args, result), details: { cwd, args } });
}

export async function runDemo(onEvent: (event: EventRecord) => void = () => undefined, parent = tmpdir()): Promise<DemoResult> {
  const repo = mkdtempSync(join(parent, 'buran-demo-'));
  cpSync(join(packageRoot(), 'examples', 'greeting'), repo, { recursive: true });
  await gitIn(repo, ['init', '-q', '-b', 'main']);
  await gitIn(repo, ['add', '-A']);
  await gitIn(repo, ['commit', '-q', '-m', 'greeting example']);
  const project = await openProject({ cwd: repo, onEvent });
  const { runId } = await project.approve(join(repo, 'packet.yaml'), 'demo');
  const result = await project.runner.drive(runId);
  const report = buildReport(result.snapshot, await project.runner.events(runId), { repo });
  return { repo, runId, result, report, markdown: reportMarkdown(report) };
}
