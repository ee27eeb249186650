// Live progress for `buran run` on a terminal: one status line, redrawn in
// place (stage, task, attempt / epoch, elapsed, last event). Off when stdout
// is not a TTY, with --json, or when NO_COLOR / TERM=dumb ask for plain output.
import type { EventRecord } from '../domain/events.js';

export interface Progress {
  event(e: EventRecord): void;
  stop(): void;
}

export function liveProgress(write: (text: string) => void, now: () => number = Date.now): Progress {
  const started = now();
  let stage = 'starting';
  let task = '';
  let last = '';
  const draw = () => {
    const elapsed = ((now() - started) / 1000).toFixed(1);
    write(`\r\x1b[K[${elapsed}s] ${stage}${task === '' ? '' : ` · ${task}`}${last === '' ? '' : ` · last: ${last}`}`);
  };
  const timer = setInterval(draw, 250);
  return {
    event(e) {
      if (e.taskId === undefined && e.to !== null) stage = e.to;
      if (e.taskId !== undefined) task = `task ${e.taskId}${e.attemptId === undefined ? '' : ` ${e.attemptId}`}${e.epoch === undefined ? '' : ` (epoch ${e.epoch})`} ${e.to ?? ''}`;
      last = `#${e.seq} ${typeof e.data['event'] === 'string' ? e.data['event'].replace('xstate.done.actor.', '') : e.type}`;
      draw();
    },
    stop() {
      clearInterval(timer);
      write('\r\x1b[K');
    },
  };
}

export function wantsLiveProgress(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}
