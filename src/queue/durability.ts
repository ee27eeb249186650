// The durability preflight: buran hands an attempt to Redis only when Redis
// keeps what it acknowledged. An acknowledged add that a crash of Redis loses
// would be an attempt the runner believes dispatched and no worker ever sees;
// an evicted lock key would let two holders run one attempt.
import { BuranError } from '../domain/errors.js';

/** What Redis must say for each setting, and why buran asks for it. */
export const DURABLE_SETTINGS = [
  { name: 'appendonly', want: 'yes', why: 'every write is logged to the append-only file' },
  { name: 'appendfsync', want: 'always', why: 'the log is fsynced before a write is acknowledged' },
  { name: 'maxmemory-policy', want: 'noeviction', why: 'no job or lock key is evicted under memory pressure' },
] as const;

export interface DurabilityProblem {
  readonly setting: string;
  /** What Redis answered; null when it did not report the setting. */
  readonly actual: string | null;
  readonly want: string;
  readonly why: string;
}

/**
 * Which settings keep Redis from being durable. Pure: `settings` is what CONFIG GET answered.
 * @example
 * judgeDurability({ appendonly: 'yes', appendfsync: 'everysec', 'maxmemory-policy': 'noeviction' }); // [{ setting: 'appendfsync', actual: 'everysec', want: 'always', ... }]
 */
export function judgeDurability(settings: Readonly<Record<string, string>>): DurabilityProblem[] {
  const problems: DurabilityProblem[] = [];
  for (const { name, want, why } of DURABLE_SETTINGS) {
    const actual = settings[name] ?? null;
    if (actual?.toLowerCase() !== want) problems.push({ setting: name, actual, want, why });
  }
  return problems;
}

/** The refusal for a Redis that is not durable: names each setting to change and how. */
export function notDurableError(url: string, problems: readonly DurabilityProblem[]): BuranError {
  const list = problems.map((p) => `${p.setting} is ${p.actual ?? 'not reported'} (set ${p.want}: ${p.why})`).join('; ');
  const commands = problems.map((p) => `CONFIG SET ${p.setting} ${p.want}`).join(' && ');
  return new BuranError({
    code: 'queue_not_durable',
    message: `the Redis at ${redactUrl(url)} could lose acknowledged attempts: ${list}`,
    details: { url: redactUrl(url), problems },
    nextSafeAction: {
      text: `set ${problems.map((p) => `${p.setting} ${p.want}`).join(', ')} in redis.conf (or \`redis-cli ${commands} && redis-cli CONFIG REWRITE\`) and try again`,
      command: null,
    },
  });
}

/** The smallest part of a Redis client the preflight needs (an ioredis client has it). */
export interface ConfigReader {
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
}

/**
 * Ask Redis for its durability settings and refuse (`queue_not_durable`) when
 * any is missing; `queue_unavailable` when it cannot be asked (a managed Redis
 * that disables CONFIG cannot be checked, so it is refused too).
 * @example
 * await checkRedisDurability(new Redis(url), url); // throws BuranError queue_not_durable naming each setting
 */
export async function checkRedisDurability(client: ConfigReader, url: string): Promise<void> {
  const settings: Record<string, string> = {};
  for (const { name } of DURABLE_SETTINGS) {
    let answer: unknown;
    try {
      answer = await client.config('GET', name);
    } catch (error) {
      throw new BuranError({
        code: 'queue_unavailable',
        message: `could not read ${name} from the Redis at ${redactUrl(url)} (CONFIG GET): ${error instanceof Error ? error.message : String(error)}; buran cannot tell whether it keeps what it acknowledged`,
        details: { url: redactUrl(url), setting: name },
        cause: error,
      });
    }
    // CONFIG GET answers [name, value] pairs.
    if (Array.isArray(answer) && typeof answer[1] === 'string') settings[name] = answer[1];
  }
  const problems = judgeDurability(settings);
  if (problems.length > 0) throw notDurableError(url, problems);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch (error) {
    // Not a URL: say so rather than echo text that may hold a password.
    return error instanceof TypeError ? '<not a url>' : '<unreadable url>';
  }
}
