/** Process exit codes of the buran CLI. Stable public API. */
export const EXIT = {
  ok: 0,
  internal: 1,
  badInput: 2,
  blocked: 3,
  waiting: 4,
  locked: 5,
  /** `buran doctor` (without --fix): the store has something `--fix` would repair (a lost, broken or stale index, a run it cannot prove). */
  needsRepair: 6,
  /** `buran run` ended by Ctrl-C (SIGINT, 128 + 2): the process ends by the signal, so main() never returns it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
