// Delivery of one notification to the configured targets: a command (the
// payload on stdin) and/or a webhook (the payload as the POST body), each
// tried a few times with backoff. Never throws: every outcome is a value the
// runner records; a notification cannot change a run.
import { setTimeout as sleep } from 'node:timers/promises';
import type { NotifyConfig } from '../domain/config.js';
import { redactSecrets } from '../domain/redact.js';
import type { NotifyTargetResult } from '../engine/notifyDue.js';

export interface DeliverOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Wait before the second try (ms); doubles each try. */
  readonly backoffMs?: number;
  /** Secret values to redact from recorded errors. */
  readonly knownSecrets?: readonly string[];
}

/** Send `payload` (JSON text) to every configured target; one result per target (none when nothing is configured). */
export async function deliverNotification(config: NotifyConfig, payload: string, options: DeliverOptions): Promise<NotifyTargetResult[]> {
  const timeoutMs = config.timeoutSec * 1000;
  const tries: { target: string; once: () => Promise<string | null> }[] = [];
  const command = config.command;
  if (command !== undefined) tries.push({ target: `command: ${command[0] ?? ''}`, once: () => runOnce(command, payload, timeoutMs, options) });
  const webhook = config.webhook;
  if (webhook !== undefined) tries.push({ target: `webhook: ${new URL(webhook).origin}`, once: () => postOnce(webhook, payload, timeoutMs) });
  return Promise.all(
    tries.map(async ({ target, once }) => {
      let error: string | null = null;
      for (let n = 1; n <= config.attempts; n++) {
        error = await once().catch(describeError);
        if (error === null) return { target, ok: true, tries: n, error: null };
        if (n < config.attempts) await sleep((options.backoffMs ?? 500) * 2 ** (n - 1));
      }
      return { target, ok: false, tries: config.attempts, error: redactSecrets(error ?? 'failed', { known: options.knownSecrets ?? [] }) };
    }),
  );
}

/** One run of the command: null when it exited 0, else why not. */
async function runOnce(argv: readonly string[], payload: string, timeoutMs: number, options: DeliverOptions): Promise<string | null> {
  const [file, ...args] = argv;
  if (file === undefined) return 'empty command';
  // Loaded when a notification is sent, not with every run (execa's import is a cost of each CLI start).
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: { ...options.env },
    extendEnv: false,
    input: payload,
    reject: false,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024,
    stripFinalNewline: true,
  });
  if (result.exitCode === 0 && !result.timedOut) return null;
  const why = result.timedOut ? `timed out after ${timeoutMs} ms` : result.exitCode === undefined ? (result.originalMessage ?? 'could not start') : `exit ${result.exitCode}`;
  const stderr = String(result.stderr).trim().split('\n').slice(-3).join(' / ').slice(0, 500);
  return stderr === '' ? why : `${why}: ${stderr}`;
}

/** One POST: null on a 2xx answer, else why not. */
async function postOnce(url: string, payload: string, timeoutMs: number): Promise<string | null> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'buran' },
    body: payload,
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  await response.body?.cancel();
  return response.ok ? null : `HTTP ${response.status}`;
}

/** An error as one line, with its cause (fetch says only "fetch failed" and puts ECONNREFUSED in the cause). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
