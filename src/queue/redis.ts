// Connections to the Redis behind the attempt queue, opened only after the
// durability preflight passed.
import { Redis } from 'ioredis';
import { BuranError } from '../domain/errors.js';
import { checkRedisDurability, redactUrl } from './durability.js';

/** Bound (ms) on connecting for the preflight: an unreachable Redis is reported, not retried forever. */
const PREFLIGHT_CONNECT_MS = 5_000;

/** The cancel marker's key: set before the cancel event, read by a holder when it starts the attempt. */
export function cancelKey(queueName: string, attemptId: string): string {
  return `bull:${queueName}:buran-cancel:${attemptId}`;
}

/** Connect once, check durability, disconnect. Throws `queue_unavailable` or `queue_not_durable`. */
export async function preflightRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: PREFLIGHT_CONNECT_MS, enableOfflineQueue: false });
  // Connection errors surface through connect(); the event would otherwise be printed by ioredis.
  client.on('error', () => undefined);
  try {
    await client.connect().catch((error: unknown) => {
      throw new BuranError({
        code: 'queue_unavailable',
        message: `could not connect to the Redis at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`,
        details: { url: redactUrl(url) },
        cause: error,
      });
    });
    await checkRedisDurability(client, url);
  } finally {
    client.disconnect();
  }
}

/** A long-lived connection for BullMQ (which requires `maxRetriesPerRequest: null`); it reconnects on its own. */
export function queueConnection(url: string, onError: (error: Error) => void): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  client.on('error', onError);
  return client;
}
