// What `buran worker` does; its definition is in ../commands/worker.ts.
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { BuranError } from '../../domain/errors.js';
import { AGENT_NAME } from '../../queue/attemptJob.js';
import { startWorkerAgent } from '../../queue/workerAgent.js';
import { createAdapterRegistry, createCommandAdapter } from '../../worker/index.js';
import { createAgentAdapters } from '../../worker/adapters/index.js';
import { EXIT } from '../exitCodes.js';
import type { Io } from '../io.js';
import { stopOnSignals } from '../stopOnSignal.js';

/** A drain waits for running attempts however long they take (their own deadlines bound them); a second signal cuts it short. */
const DRAIN_BOUND_MS = 2 ** 31 - 1;

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const OptionsSchema = z.strictObject({
  queue: z.string().regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' }),
  dir: z.string().min(1),
  concurrency: count(1, 64),
  name: z.string().regex(AGENT_NAME, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' }).optional(),
  lockMs: count(1_000, 600_000),
  stalledIntervalMs: count(500, 600_000),
  writable: z.array(z.string().refine((path) => isAbsolute(path), { error: 'must be an absolute path' })).max(64).default([]),
});

export async function workerAction(io: Io, raw: Record<string, unknown>): Promise<void> {
  const parsed = OptionsSchema.safeParse(raw);
  if (!parsed.success) throw new BuranError({ code: 'invalid_input', message: `buran worker: ${z.prettifyError(parsed.error)}`, details: {} });
  const o = parsed.data;
  const name = o.name ?? `${hostname()}-${process.pid}`;
  const agent = await startWorkerAgent({
    url: o.queue,
    dir: resolve(o.dir),
    concurrency: o.concurrency,
    name,
    env: process.env,
    registryFor: (config, worktree) => createAdapterRegistry([createCommandAdapter(), ...createAgentAdapters(config, worktree)]),
    lockMs: o.lockMs,
    stalledIntervalMs: o.stalledIntervalMs,
    writable: o.writable,
    log: (line) => io.err(`worker ${name}: ${line}`),
  });
  const stop = stopOnSignals({ boundMs: DRAIN_BOUND_MS, onFirst: (sig) => io.err(`worker ${name}: ${sig}: draining (no new attempts; running ones finish). Again to kill them.`) });
  io.out(`worker ${name}: taking attempts (concurrency ${o.concurrency})`);
  await new Promise<void>((done) => stop.signal.addEventListener('abort', () => done(), { once: true }));
  const first = await Promise.race([agent.drain().then(() => 'drained' as const), stop.gaveUp]);
  if (first !== 'drained') {
    io.err(`worker ${name}: killing the running attempts`);
    await agent.stop();
  }
  stop.dispose();
  io.out(`worker ${name}: stopped`);
  io.exit(EXIT.ok);
}
