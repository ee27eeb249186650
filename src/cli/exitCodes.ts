/** Process exit codes of the buran CLI. Stable public API. */
export const EXIT = {
  ok: 0,
  internal: 1,
  badInput: 2,
  blocked: 3,
  waiting: 4,
  locked: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
