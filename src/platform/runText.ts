// One short-lived child process whose output is text: no shell, a wall-clock
// bound, optional stdin text, stdout and stderr collected (bounded) and
// decoded as UTF-8. Never rejects: a non-zero exit, a timeout or a program
// that could not start are all results. Node's child_process directly: it is
// the hot path of every git call, where a general process library's import
// and per-call cost showed up in cold CLI starts and per-task overhead.
import { spawn } from 'node:child_process';

export interface RunTextOptions {
  readonly cwd: string;
  /** The whole environment of the child (nothing is added). */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  readonly input?: string;
  /** Most bytes kept of stdout and of stderr each; past it the child is killed. Default 100 MiB. */
  readonly maxBytes?: number;
}

export interface TextResult {
  /** Exit code, or null when the child was killed or could not start. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Why there is no exit code (could not start, killed by a signal, output too large); null when it exited. */
  readonly failure: string | null;
}

const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;

const stripFinalNewline = (text: string): string => (text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text);

/**
 * Run `file args` and collect its output; one final newline is stripped from each stream.
 * @example
 * const r = await runText('git', ['rev-parse', 'HEAD'], { cwd, env, timeoutMs: 60_000 });
 * if (r.exitCode === 0) console.log(r.stdout);
 */
export function runText(file: string, args: readonly string[], o: RunTextOptions): Promise<TextResult> {
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve) => {
    const child = spawn(file, [...args], { cwd: o.cwd, env: o.env, stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let overflow: string | null = null;
    let startError: Error | null = null;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, o.timeoutMs);
    const collect = (chunks: Buffer[], which: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const size = which === 'stdout' ? (outBytes += chunk.length) : (errBytes += chunk.length);
      if (size > maxBytes) {
        if (overflow === null) {
          overflow = `${which} exceeded ${maxBytes} bytes`;
          child.kill('SIGTERM');
        }
        return;
      }
      chunks.push(chunk);
    };
    child.stdout?.on('data', collect(out, 'stdout'));
    child.stderr?.on('data', collect(err, 'stderr'));
    child.on('error', (error) => {
      startError = error;
    });
    if (o.input !== undefined && child.stdin !== null) {
      // A child that exits without reading its stdin closes the pipe: not an error of ours.
      child.stdin.on('error', () => undefined);
      child.stdin.end(o.input);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = stripFinalNewline(Buffer.concat(out).toString('utf8'));
      const stderr = stripFinalNewline(Buffer.concat(err).toString('utf8'));
      const failure =
        startError !== null
          ? `${file} could not start: ${startError.message}`
          : timedOut
            ? `${file} timed out after ${o.timeoutMs} ms`
            : overflow !== null
              ? `${file}: ${overflow}`
              : code === null
                ? `${file} was killed by ${signal ?? 'a signal'}`
                : null;
      resolve({ exitCode: failure === null ? code : null, stdout, stderr, timedOut, failure });
    });
  });
}
