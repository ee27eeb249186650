// The operator's decisions about a blocked run. No imports: the CLI's option
// parser reads it before any command module is loaded.

/**
 * What an operator may decide about a blocked run.
 * - `retry`   grant one more try at the step that blocked (same epoch, new attempt id where a worker is involved)
 * - `cancel`  stop the run deliberately (final: cancelled)
 * - `abandon` close the run as failed (final: failed)
 * @example
 * OPERATOR_DECISIONS.includes(answer as OperatorDecision); // validate a decision read from a form
 */
export const OPERATOR_DECISIONS = ['retry', 'cancel', 'abandon'] as const;
export type OperatorDecision = (typeof OPERATOR_DECISIONS)[number];
