// A private redis-server for the queue family: on a free loopback port, in its
// own temp folder (which is in its argv, so the /proc scan finds it), durable
// settings unless a case asks otherwise; stopped (and its folder removed) by stop().
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_SERVER = process.env['BURAN_REDIS_SERVER'] ?? '/usr/bin/redis-server';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /**
   * Stop it and start it again on the same port and folder. SIGTERM (default) lets it finish its append-only file;
   * SIGKILL does not, so only what `appendfsync always` synced before each reply is kept. `downMs`: how long it stays down.
   */
  restart(o?: { readonly signal?: 'SIGTERM' | 'SIGKILL'; readonly downMs?: number }): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s), wait for the exit, remove the folder. */
  stop(): Promise<void>;
}

/** A port nobody listens on now (the kernel's pick on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startRedis(o: { readonly durable?: boolean } = {}): Promise<RedisServer> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'buran-redis-')));
  const port = await freePort();
  const durable = o.durable ?? true;
  const settings = durable ? ['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'] : ['--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'];
  const url = `redis://127.0.0.1:${port}`;
  let running = await launch(url, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--logfile', join(dir, 'redis.log'), ...settings]);
  const args = running.args;
  return {
    url,
    port,
    dir,
    get pid() {
      return running.pid;
    },
    async restart(o = {}) {
      await running.stop(o.signal);
      if (o.downMs !== undefined) await new Promise((r) => setTimeout(r, o.downMs));
      running = await launch(url, args);
    },
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Running {
  readonly pid: number;
  readonly args: readonly string[];
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** Start redis-server with `args` and wait until it answers PING (10 s at most). */
async function launch(url: string, args: readonly string[]): Promise<Running> {
  const child: ChildProcess = spawn(REDIS_SERVER, [...args], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error(`${REDIS_SERVER} did not start`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    const ok = await client.connect().then(() => client.ping()).then(() => true, () => false);
    client.disconnect();
    if (ok) return { pid: child.pid, args, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server at ${url} did not answer within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
