// Pure: the live view of a run being driven, as terminal lines. A header
// ("2 of 5 tasks done · run 12m03s") and one line per active task in plain
// words. Every line fits the terminal width (cut, never wrapped), so a redraw
// in place knows exactly how many rows it covers.

/** One task that is neither waiting for its dependencies nor done. */
export interface LiveTask {
  readonly id: string;
  /** What it does, in plain words: "agent working", "verifying", "blocked: fix_exhausted". */
  readonly words: string;
  /** Time in that state (ms); null when unknown. */
  readonly forMs: number | null;
  /** 0 for the first implementation, 1 for the first fix round, … */
  readonly fixRound: number;
  readonly tone: 'normal' | 'bad';
  /** Age of the worker's heartbeat (ms); null when no worker runs. */
  readonly heartbeatAgeMs: number | null;
  /** The worker's last output line (redacted, display-safe); null when none. */
  readonly lastLine: string | null;
}

export interface LiveViewModel {
  readonly done: number;
  readonly total: number;
  /** Since the run's first event (ms); null before it has any. */
  readonly runElapsedMs: number | null;
  /** What the run as a whole does, when worth saying ("handing off", "paused"); null otherwise. */
  readonly runWords: string | null;
  readonly tasks: readonly LiveTask[];
}

export interface RenderOptions {
  /**
   * Terminal columns. Every line is at most columns - 3 wide: text in the last column makes some
   * terminals wrap, and the terminal's echo of Ctrl-C ("^C") after the last line must not wrap it either
   * (a wrapped last line would move the block and leave a copy of its first line behind).
   */
  readonly columns: number;
  /** Terminal rows; more tasks than fit are summarised in one line. */
  readonly rows?: number;
  readonly color: boolean;
}

/** "45s", "3m12s", "1h02m". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const STYLE = { bold: ['\x1b[1m', '\x1b[22m'], dim: ['\x1b[2m', '\x1b[22m'], red: ['\x1b[31m', '\x1b[39m'], cyan: ['\x1b[36m', '\x1b[39m'] } as const;
type Style = keyof typeof STYLE;

interface Segment {
  readonly text: string;
  readonly style?: Style;
}

/** The lines of the live view: each fits `columns - 3` display cells. */
export function renderLiveView(view: LiveViewModel, options: RenderOptions): string[] {
  const width = Math.max(1, options.columns - 3);
  const header: Segment[] = [{ text: `${view.done} of ${view.total} tasks done`, style: 'bold' }];
  if (view.runElapsedMs !== null) header.push({ text: ` · run ${formatDuration(view.runElapsedMs)}` });
  if (view.runWords !== null) header.push({ text: ` · ${view.runWords}` });
  const lines = [fit(header, width, options.color)];
  const idWidth = Math.min(24, Math.max(0, ...view.tasks.map((t) => t.id.length)));
  const room = options.rows === undefined ? view.tasks.length : Math.max(1, options.rows - 2);
  const shown = view.tasks.length > room ? view.tasks.slice(0, room - 1) : view.tasks;
  for (const task of shown) lines.push(fit(taskSegments(task, idWidth), width, options.color));
  if (shown.length < view.tasks.length) lines.push(fit([{ text: `  … and ${view.tasks.length - shown.length} more active`, style: 'dim' }], width, options.color));
  return lines;
}

function taskSegments(task: LiveTask, idWidth: number): Segment[] {
  const segments: Segment[] = [{ text: '  ' }, { text: task.id.padEnd(idWidth), style: 'cyan' }, { text: '  ' }];
  segments.push({ text: `${task.words}${task.forMs === null ? '' : ` ${formatDuration(task.forMs)}`}`, ...(task.tone === 'bad' ? { style: 'red' as const } : {}) });
  if (task.fixRound > 0) segments.push({ text: ` · fix round ${task.fixRound}` });
  if (task.heartbeatAgeMs !== null) segments.push({ text: ` · heartbeat ${formatDuration(task.heartbeatAgeMs)} ago`, style: 'dim' });
  if (task.lastLine !== null && task.lastLine !== '') segments.push({ text: ` · ${task.lastLine}`, style: 'dim' });
  return segments;
}

/** Join segments, cut to `width` display cells (ending in "…" when cut), colour after cutting. */
function fit(segments: readonly Segment[], width: number, color: boolean): string {
  const plain = segments.map((s) => ({ ...s, text: s.text.replace(/[\t\n\r]/g, ' ') }));
  const whole = displayWidth(plain.map((s) => s.text).join('')) <= width;
  let budget = whole ? width : width - 1;
  let out = '';
  for (const segment of plain) {
    const text = cut(segment.text, budget);
    out += paint(text, segment.style, color);
    budget -= displayWidth(text);
    if (text !== segment.text) break;
  }
  return whole ? out : `${out}…`;
}

function paint(text: string, style: Style | undefined, color: boolean): string {
  if (!color || style === undefined || text === '') return text;
  const [on, off] = STYLE[style];
  return `${on}${text}${off}`;
}

/** The longest start of `text` that is at most `cells` wide. */
function cut(text: string, cells: number): string {
  let used = 0;
  let out = '';
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > cells) break;
    out += char;
    used += w;
  }
  return out;
}

/** Display cells of a string (no escape sequences in it): wide East Asian characters and emoji take two, combining marks none. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const char of text) w += charWidth(char);
  return w;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const WIDE = /^[\p{Extended_Pictographic}]$/u;

function charWidth(char: string): number {
  const cp = char.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(char)) return 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff && WIDE.test(char)) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}
