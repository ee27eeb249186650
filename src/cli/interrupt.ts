// What `buran run` says when a signal stops it (Ctrl-C, SIGTERM, SIGHUP): the
// driver ends — cleanly, or not within its bound —, the workers (under their
// own detached supervisors) keep running, and the exact commands to re-attach
// to them or to cancel the run.
import { type AttemptActivity, type LiveRunState, activeTasks, liveViewOf } from './liveModel.js';
import { formatDuration } from './liveView.js';

/** How the driver ended: stopped cleanly, or given up on after `boundMs` or a second signal. */
export type StopOutcome = { readonly clean: true } | { readonly clean: false; readonly why: 'timeout' | 'again'; readonly boundMs: number };

/** Pure: the lines printed when a signal ends `buran run`. */
export function interruptLines(state: LiveRunState, now: number, activity: (attemptId: string) => AttemptActivity | null, stop: StopOutcome = { clean: true }): string[] {
  const view = liveViewOf(state, now, activity);
  const active = activeTasks(state);
  const lines = [`interrupted: buran stopped driving run ${state.runId}.`];
  if (stop.clean) lines.push('Everything it did is recorded and the run lock is released.');
  else {
    const why = stop.why === 'again' ? 'a second signal came' : `it did not finish within ${formatDuration(stop.boundMs)}`;
    lines.push(`It did not stop cleanly (${why}): the next driver takes the run lock over and picks up from the last recorded transition.`);
  }
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
