// What `buran run` says when Ctrl-C stops it: the driver ends, the workers
// (under their own detached supervisors) keep running, and the exact commands
// to re-attach to them or to cancel the run.
import { type AttemptActivity, type LiveRunState, activeTasks, liveViewOf } from './liveModel.js';
import { formatDuration } from './liveView.js';

/** Pure: the lines printed on Ctrl-C. */
export function interruptLines(state: LiveRunState, now: number, activity: (attemptId: string) => AttemptActivity | null): string[] {
  const view = liveViewOf(state, now, activity);
  const active = activeTasks(state);
  const lines = [`interrupted: buran stopped driving run ${state.runId}.`];
  if (view.tasks.length === 0) lines.push(`${view.done} of ${view.total} tasks done; none was running.`);
  else {
    lines.push(`${view.done} of ${view.total} tasks done. Still running, without this process:`);
    view.tasks.forEach((task, i) => {
      const attemptId = active[i]?.task.attemptId ?? null;
      const pid = task.words === 'agent working' && attemptId !== null ? (activity(attemptId)?.pid ?? null) : null;
      lines.push(`  ${task.id}: ${task.words}${task.forMs === null ? '' : ` ${formatDuration(task.forMs)}`}${task.fixRound > 0 ? `, fix round ${task.fixRound}` : ''}${attemptId === null ? '' : `, attempt ${attemptId}`}${pid === null ? '' : `, worker pid ${pid}`}`);
    });
  }
  lines.push(`re-attach: buran run --run ${state.runId}`);
  lines.push(`cancel:    buran cancel --run ${state.runId}`);
  return lines;
}
