// The attempt queues this process opened, one per Redis URL, so every run a
// process drives shares one set of connections, and the CLI closes them when
// its command ends (open connections would keep the process alive). BullMQ is
// loaded only when a queue is opened.
import type { AttemptQueue } from './port.js';

const opened = new Map<string, Promise<AttemptQueue>>();

/**
 * The queue on the Redis at `url`, opened (durability preflight first) on the first call; a failed open is forgotten, so
 * the next call checks again.
 * @example
 * const queue = await sharedQueue('redis://10.0.0.5:6379'); // throws BuranError queue_not_durable / queue_unavailable
 */
export function sharedQueue(url: string): Promise<AttemptQueue> {
  const known = opened.get(url);
  if (known !== undefined) return known;
  const opening = import('./bullmqQueue.js').then(({ openBullmqQueue }) => openBullmqQueue(url));
  opened.set(url, opening);
  opening.catch(() => opened.delete(url));
  return opening;
}

/** Close every queue this process opened (idempotent). */
export async function closeQueues(): Promise<void> {
  const all = [...opened.values()];
  opened.clear();
  for (const opening of all) {
    const queue = await opening.catch(() => null);
    await queue?.close();
  }
}
