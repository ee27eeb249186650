import * as z from 'zod';
import { SlugSchema } from './packet.js';
import { type Problem, findForbiddenKeys, limitProblems, mergeProblems, problemsFromZod, zodErrorMap } from './problems.js';
import { UsageSchema } from './usage.js';

/** The `schema` value of a version-1 completion. */
export const COMPLETION_SCHEMA_ID = 'buran.completion/v1';

/** Longest summary accepted, in characters; reports show it whole. */
export const MAX_SUMMARY_CHARS = 10_000;
/** Longest notes accepted, in characters; worker output is untrusted and stored, so it is bounded. */
export const MAX_NOTES_CHARS = 100_000;
/** Most changedFiles entries accepted. */
export const MAX_CHANGED_FILES = 10_000;

const IdSchema = z.string().min(1).max(200);

/**
 * The completion file a worker writes for one attempt (`buran.completion/v1`).
 * @example
 * const result = CompletionSchema.safeParse(JSON.parse(text));
 */
export const CompletionSchema = z
  .strictObject({
    schema: z.literal(COMPLETION_SCHEMA_ID).describe(`Format version; always "${COMPLETION_SCHEMA_ID}".`),
    runId: IdSchema.describe('The run this attempt belongs to, as given to the worker.'),
    taskId: SlugSchema.describe('The task this attempt works on, as given to the worker.'),
    attemptId: IdSchema.describe('The attempt this completion answers, as given to the worker; unique per dispatch.'),
    epoch: z.number().int().min(1).describe('The epoch of the attempt, as given to the worker (1 = first implementation, +1 per fix round).'),
    status: z
      .enum(['completed', 'failed', 'blocked'])
      .describe('"completed": the work is done; "failed": the worker tried and could not; "blocked": the worker could not start or continue (missing access, unclear task).'),
    summary: z.string().max(MAX_SUMMARY_CHARS).describe(`What the worker did or why it stopped, for the report. At most ${MAX_SUMMARY_CHARS} characters.`),
    changedFiles: z
      .array(z.string().min(1))
      .max(MAX_CHANGED_FILES)
      .optional()
      .describe('Repo-relative files the worker says it changed. Informational: buran trusts the git diff, not this list.'),
    notes: z.string().max(MAX_NOTES_CHARS).optional().describe(`Anything else for the reviewer or the human. At most ${MAX_NOTES_CHARS} characters.`),
    usage: UsageSchema.pick({ inputTokens: true, outputTokens: true, costUsd: true })
      .optional()
      .describe('Spend of this attempt as the worker reports it (tokens; cost in US dollars), counted against the budget.'),
  })
  .describe('A worker\'s durable result for one attempt, written to the completion file; ingested once.');

export type Completion = z.output<typeof CompletionSchema>;

/** What the runner expects a completion to name: the attempt it dispatched. */
export interface ExpectedAttempt {
  readonly runId: string;
  readonly taskId: string;
  readonly attemptId: string;
  readonly epoch: number;
}

export interface CompletionCheck {
  /** The completion, only when it is valid and names the expected attempt. */
  readonly completion: Completion | null;
  readonly problems: Problem[];
  /** True when the shape is valid but it names another run, task, attempt or epoch. */
  readonly mismatch: boolean;
}

/**
 * Checks untrusted completion input against the schema and against the
 * attempt it should answer. Pure. A completion for another attempt is never
 * accepted: it comes back with `completion: null` and `mismatch: true`.
 *
 * @example
 * const check = checkCompletion(JSON.parse(text), { runId, taskId, attemptId, epoch: 1 });
 */
export function checkCompletion(raw: unknown, expected: ExpectedAttempt): CompletionCheck {
  const forbidden = findForbiddenKeys(raw);
  const shape = CompletionSchema.safeParse(raw, { error: zodErrorMap });
  const problems = limitProblems(mergeProblems(forbidden, shape.success ? [] : problemsFromZod(shape.error.issues)));
  if (!shape.success || problems.length > 0) return { completion: null, problems, mismatch: false };

  const completion = shape.data;
  const mismatches = (['runId', 'taskId', 'attemptId', 'epoch'] as const)
    .filter((field) => completion[field] !== expected[field])
    .map((field) => ({
      path: field,
      code: 'mismatch',
      message: `names ${JSON.stringify(completion[field])} but the attempt expects ${JSON.stringify(expected[field])}`,
    }));
  return mismatches.length > 0 ? { completion: null, problems: mismatches, mismatch: true } : { completion, problems: [], mismatch: false };
}
