// Worker agents of the queue families: real `buran worker` processes, each
// with its own --dir and HOME standing in for another machine.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliProcess, sleep, startCli } from './harness.js';

/**
 * Lock settings of the agents: a dead holder is noticed within about LOCK_MS + STALLED_MS.
 * 2 s was too tight here: at a load average of 11 on two CPUs a live agent missed a renewal and lost its job.
 */
export const LOCK_MS = 5_000;
export const STALLED_MS = 1_000;

export interface Agent {
  readonly name: string;
  readonly dir: string;
  readonly cli: CliProcess;
  /** What it printed on stderr so far (its log), for failure messages. */
  readonly log: () => string;
  /** Resolves once it said it takes attempts (preflight passed, folder locked, worker running). */
  readonly ready: Promise<void>;
}

/** `buran worker` with its own --dir and HOME, as on another machine; `lockMs` instead of LOCK_MS; `extra` arguments after the others. */
export function agent(c: { readonly root: string; readonly redis: { readonly url: string } }, name: string, concurrency = 1, lockMs = LOCK_MS, extra: readonly string[] = []): Agent {
  const home = join(c.root, 'homes', name);
  mkdirSync(home, { recursive: true });
  const dir = join(c.root, 'agents', name);
  const args = ['worker', '--queue', c.redis.url, '--dir', dir, '--concurrency', String(concurrency), '--name', name, '--lock-ms', String(lockMs), '--stalled-interval-ms', String(STALLED_MS), ...extra];
  const cli = startCli(c.root, args, { HOME: home });
  let printed = '';
  cli.child.stderr?.on('data', (s: string) => (printed += s));
  const ready = new Promise<void>((resolve) => {
    let out = '';
    cli.child.stdout?.on('data', (s: string) => {
      out += s;
      if (out.includes('taking attempts')) resolve();
    });
  });
  return { name, dir, cli, log: () => printed, ready };
}

export async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export async function stopAgents(agents: readonly Agent[]): Promise<void> {
  for (const a of agents) a.cli.child.kill('SIGTERM');
  for (const a of agents) {
    const r = await a.cli.done;
    expect(r.code, `${a.name}: ${r.stderr}`).toBe(0);
  }
}

