/**
 * A run id: a slug of 1-64 characters a-z, 0-9 and "-", starting with a
 * letter or digit. It becomes part of paths and branch names, so nothing else
 * is accepted.
 *
 * @example
 * RUN_ID_PATTERN.test('run-20250101-abc'); // true
 */
export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Whether `value` is a run id (`RUN_ID_PATTERN`). */
export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && RUN_ID_PATTERN.test(value);
}
