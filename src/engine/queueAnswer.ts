// Questions to the attempt queue with a bound: Redis down or out of reach
// never hangs a run (the client keeps a question for the reconnect, so an
// unbounded wait could last forever).
import { BuranError } from '../domain/errors.js';

/**
 * `question`'s answer, or `queue_unavailable` once `ms` pass without one (Redis down or out of reach), or the abort.
 * The question itself may still be answered later (the client keeps it for the reconnect): every one asked here can be
 * asked again.
 */
export function answered<T>(question: Promise<T>, ms: number, signal: AbortSignal | null, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      done();
      reject(new BuranError({ code: 'queue_unavailable', message: `${what} did not answer within ${Math.round(ms / 1000)} s (is Redis down?)`, details: { waitedMs: ms } }));
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    question.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Wait `ms`, or reject with the abort. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
