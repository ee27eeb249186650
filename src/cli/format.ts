import type { EventRecord } from '../domain/events.js';
import type { HookFailure } from '../engine/runView.js';
import type { StatusJson } from '../engine/statusView.js';
import { NO_REASONS, type Reasons, reasonLines } from '../engine/reasons.js';
import { sandboxSummary } from '../engine/sandboxChoice.js';
import { quorumReviewLines } from '../engine/reviewViews.js';
import { approvalLines } from '../engine/approvalView.js';

/** One human line per event. */
export function eventLine(e: EventRecord): string {
  const who = e.taskId === undefined ? 'run' : `task ${e.taskId}${e.attemptId === undefined ? '' : ` ${e.attemptId}`}`;
  const what = e.from !== null || e.to !== null ? `${e.from ?? '∅'} → ${e.to ?? '∅'}` : e.type;
  if (e.type === 'hook_failed' && typeof e.data['error'] === 'string') return `#${e.seq} ${e.ts} ${who}: hook_failed (${String(e.data['hook'])}: ${e.data['error']})`;
  const why = typeof e.data['event'] === 'string' ? ` (${e.data['event'].replace('xstate.done.actor.', 'done: ').replace('xstate.error.actor.', 'error: ')}${typeof e.data['status'] === 'string' ? ` ${e.data['status']}` : ''})` : '';
  return `#${e.seq} ${e.ts} ${who}: ${what}${why}`;
}

/** The text of `status --run`: the status, then the reasons (findings, failed commands, worker logs) under the blocker. */
export function statusLines(s: StatusJson, reasons: Reasons = NO_REASONS): string[] {
  const lines = [`run ${s.runId}: ${s.status} (${s.stage}), epoch ${s.epoch}`];
  if (s.currentTask !== null) {
    const c = s.currentTask;
    lines.push(`  current: task ${c.taskId} ${c.state}, attempt ${c.attemptId ?? '—'} (epoch ${c.epoch})${c.pid === null ? '' : `, pid ${c.pid}`}${c.heartbeatAgeMs === null ? '' : `, heartbeat ${Math.round(c.heartbeatAgeMs / 1000)}s ago`}`);
  }
  lines.push(`  ${sandboxSummary(s.sandbox)}`);
  if (s.driver !== null) lines.push(`  driven by pid ${s.driver.pid}${s.driver.since === '' ? '' : ` since ${s.driver.since}`}${s.driver.host === '' ? '' : ` (${s.driver.host})`}`);
  if (s.blocker !== null) lines.push(`  blocked: ${s.blocker.code}: ${s.blocker.message}`);
  lines.push(...hookFailureLines(s.unconfirmed).map((l) => `  ${l}`));
  lines.push(...reasonLines(reasons, '  '));
  lines.push(`  next: ${s.nextSafeAction.text}${s.nextSafeAction.command === null ? '' : `\n        ${s.nextSafeAction.command}`}`);
  for (const t of s.tasks) lines.push(`  - ${t.id}: ${t.state}, ${t.attempts} attempt(s), epoch ${t.epoch}`);
  const agents = Object.entries(s.agents);
  if (agents.length > 0) lines.push(`  worker agents: ${agents.map(([attemptId, agent]) => `${attemptId} on ${agent}`).join(', ')}`);
  for (const r of s.reviews) lines.push(...quorumReviewLines(r, '  '));
  lines.push(...setupLines(s.setup, '  '));
  lines.push(...approvalLines(s.approvals, '  '));
  const verdicts = s.decisions.filter((d) => d.gate !== null);
  if (verdicts.length > 0) lines.push('  approval decisions:', ...verdicts.map((d) => `    ${d.gate} (epoch ${d.epoch ?? '?'}): ${d.decision} by ${d.by} — ${d.reason}`));
  lines.push(`  usage: ${s.usage.inputTokens} in / ${s.usage.outputTokens} out tokens, $${s.usage.costUsd.toFixed(4)}`);
  return lines;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** One line per setup (where, status, each command with its exit and time); a failed command's output tail under it. */
export function setupLines(setup: StatusJson['setup'], pad: string): string[] {
  if (setup.length === 0) return [];
  const lines = [`${pad}setup:`];
  for (const s of setup) {
    const commands = s.commands.map((c) => `${c.argv.join(' ')} (${c.error !== null ? c.error : c.timedOut ? 'timed out' : `exit ${c.exitCode ?? 'none'}`}, ${seconds(c.durationMs)})`);
    lines.push(`${pad}  - ${s.where}${s.epoch === null ? '' : ` epoch ${s.epoch}`}: ${s.status}${s.status === 'reused' ? ' (already set up, nothing ran)' : ''}${commands.length === 0 ? '' : `: ${commands.join('; ')}`}`);
    if (s.status !== 'failed') continue;
    for (const c of s.commands) if (c.outputTail !== '' && (c.exitCode !== 0 || c.timedOut || c.error !== null)) lines.push(...c.outputTail.split('\n').map((l) => `${pad}    | ${l}`));
  }
  return lines;
}

/** What a final-state hook did not confirm (a cancel Redis never answered): said, never passed over as done. */
export function hookFailureLines(failures: readonly Pick<HookFailure, 'hook' | 'message' | 'nextSafeAction'>[]): string[] {
  return failures.flatMap((f) => [`not confirmed: ${f.hook}: ${f.message}`, ...(f.nextSafeAction === null ? [] : [`  ${f.nextSafeAction.text}`])]);
}
