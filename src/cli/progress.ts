// Live progress for `buran run` on a terminal: a header and one line per
// active task (src/cli/liveView.ts), redrawn in place. Each redraw moves the
// cursor back to the first line it drew and clears to the end of the screen;
// lines are cut to the terminal width, so the block covers exactly as many
// rows as it has lines and a redraw never leaves copies behind.
import type { LiveRunState, AttemptActivity } from './liveModel.js';
import { liveViewOf } from './liveModel.js';
import { renderLiveView } from './liveView.js';

export interface Progress {
  /** Something changed (an event was appended): redraw soon. */
  changed(): void;
  /** Redraw now (e.g. the terminal was resized). */
  redraw(): void;
  /** Erase the live block and show the cursor again. */
  stop(): void;
}

export interface LiveTerminal {
  readonly write: (text: string) => void;
  readonly columns: () => number;
  readonly rows: () => number;
}

export interface LiveProgressOptions {
  readonly terminal: LiveTerminal;
  readonly state: () => LiveRunState;
  readonly activity: (attemptId: string) => AttemptActivity | null;
  readonly color: boolean;
  readonly now?: () => number;
  /** Redraw period for the clocks (ms). */
  readonly everyMs?: number;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_DOWN = '\x1b[J';

export function liveProgress(options: LiveProgressOptions): Progress {
  const { terminal } = options;
  const now = options.now ?? Date.now;
  let drawn = 0;
  let pending: NodeJS.Immediate | null = null;
  let stopped = false;
  /** Back to the start of the block's first line. */
  const home = () => `${drawn > 1 ? `\x1b[${drawn - 1}A` : ''}\r`;
  const draw = () => {
    if (stopped) return;
    const lines = renderLiveView(liveViewOf(options.state(), now(), options.activity), { columns: terminal.columns(), rows: terminal.rows(), color: options.color });
    terminal.write(`${home()}${CLEAR_DOWN}${lines.join('\n')}`);
    drawn = lines.length;
  };
  terminal.write(HIDE_CURSOR);
  draw();
  const timer = setInterval(draw, options.everyMs ?? 500);
  return {
    changed() {
      pending ??= setImmediate(() => {
        pending = null;
        draw();
      });
    },
    redraw: draw,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (pending !== null) clearImmediate(pending);
      terminal.write(`${home()}${CLEAR_DOWN}${SHOW_CURSOR}`);
      drawn = 0;
    },
  };
}

/** The live view needs a terminal that moves its cursor; a pipe or a file gets one line per event. */
export function wantsLiveProgress(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/** Colour unless NO_COLOR is set to something (https://no-color.org); it changes colour only. */
export function wantsColor(env: Readonly<Record<string, string | undefined>>): boolean {
  return env['NO_COLOR'] === undefined || env['NO_COLOR'] === '';
}
