import * as z from 'zod';
import { LimitsSchema } from './limits.js';
import { RUN_ID_PATTERN } from './runId.js';

/** The `schema` value of a version-1 work packet. */
export const PACKET_SCHEMA_ID = 'buran.packet/v1';

/**
 * Names that end up in file names, branch names and map keys: lowercase
 * letters, digits and `-`, 1–64 characters, starting with a letter or digit.
 * No dots, slashes or shell metacharacters can get through, and the two
 * prototype names that pass the character rule are excluded by name.
 */
export const SLUG_PATTERN = /^(?!(?:constructor|prototype)$)[a-z0-9][a-z0-9-]{0,63}$/;

export const SlugSchema = z.string().regex(SLUG_PATTERN, {
  error: "must be a slug: 1-64 lowercase letters, digits or '-', starting with a letter or digit (not 'constructor' or 'prototype')",
});

/** Text a person must actually write: at least one character (blank text is caught by checkPacket). */
const TextSchema = z.string().min(1);

/** One argv element: non-empty, and no NUL byte (a process argument cannot hold one). */
export const ArgSchema = z.string().min(1).regex(/^[^\0]*$/, { error: 'must not contain a NUL character' });

/** A command as an argv array, run without a shell. */
export const ArgvSchema = z.array(ArgSchema).min(1, { error: 'a command needs at least its executable' });

/** Why a git ref is refused, or null when it passes the conservative rules. */
export function gitRefProblem(ref: string): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\s\u0000-\u001f\u007f]/.test(ref)) return 'must not contain spaces or control characters';
  if (ref.startsWith('-')) return "must not start with '-'";
  if (ref.includes('..')) return "must not contain '..'";
  if (/[~^:?*[\\]/.test(ref)) return 'must not contain any of ~ ^ : ? * [ \\';
  if (ref.includes('@{') || ref === '@') return "must not contain '@{' or be '@'";
  if (ref.startsWith('/') || ref.includes('//') || ref.split('/').some((part) => part.startsWith('.'))) {
    return "must not have empty components or components starting with '.'";
  }
  if (ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return "must not end with '/', '.' or '.lock'";
  return null;
}

export const GitRefSchema = z
  .string()
  .min(1)
  .max(255)
  .superRefine((ref, ctx) => {
    const problem = gitRefProblem(ref);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

export const PacketTaskSchema = z
  .strictObject({
    id: SlugSchema.describe('Task id, unique in the packet; used in branch and file names. Slug: lowercase letters, digits, -.'),
    title: TextSchema.describe('One line naming the task, for reports.'),
    instructions: TextSchema.describe('What the worker must do, in full; given to the worker verbatim. Must not be blank.'),
    dependsOn: z
      .array(SlugSchema)
      .default(() => [])
      .describe('Ids of tasks that must be done before this one starts. Default: none. No duplicates, no self, no cycles.'),
    scope: z
      .array(TextSchema)
      .min(1)
      .describe(
        'Repo-relative path globs this task may change: its conflict surface, locked while it runs. ' +
          'No absolute paths, no .. segments, no backslashes, nothing under .git or .buran.',
      ),
    acceptance: z
      .array(TextSchema)
      .min(1)
      .describe('Acceptance criteria, one per item, checked by the reviewer. At least one; none blank.'),
    estimateMin: z.number().positive().optional().describe('Optional size estimate in minutes; weights the critical path when scheduling.'),
  })
  .describe('One node of the task graph: one unit of work given to one worker.');

export const WorkerSchema = z
  .strictObject({
    adapter: SlugSchema.describe('Worker adapter name, e.g. "command", "claude", "codex", "gemini", or any other installed adapter.'),
    command: ArgvSchema.optional().describe('Executable and arguments (argv, no shell) for adapters that run a command, such as "command".'),
    model: TextSchema.optional().describe("Model name passed to the adapter; default: the adapter's or the config's choice."),
    args: z.array(z.string()).optional().describe('Extra arguments appended to the adapter command line.'),
  })
  .describe('Which coding-agent worker implements the tasks.');

/** The name of the deterministic built-in reviewer, in `review.reviewer` and as a `review.reviewers[].adapter`. */
export const BUILTIN_REVIEWER = 'builtin';

export const ReviewerSchema = z
  .strictObject({
    adapter: SlugSchema.describe('"builtin" for the built-in rules, or a reviewer adapter: "command", "claude", "codex", "gemini", or any other installed adapter.'),
    name: SlugSchema.optional().describe('Names this reviewer in records, reports and its attempt folders; unique in the list. Default: the adapter name.'),
    command: ArgvSchema.optional().describe('Executable and arguments (argv, no shell) for adapters that run a command, such as "command".'),
    model: TextSchema.optional().describe("Model passed to the adapter; default: the adapter's or the config's choice."),
    args: z.array(z.string()).optional().describe('Extra arguments appended to the adapter command line.'),
  })
  .describe('One reviewer of a quorum.');
export type Reviewer = z.output<typeof ReviewerSchema>;

export const ReviewSchema = z
  .strictObject({
    reviewer: SlugSchema.default(BUILTIN_REVIEWER).describe(
      '"builtin" for the built-in review rules alone, or the name of one reviewer adapter asked after them. Default: "builtin". Leave it out when giving reviewers.',
    ),
    reviewers: z
      .array(ReviewerSchema)
      .min(1)
      .max(8)
      .optional()
      .describe(
        'Several reviewers that must agree, asked one after another. The built-in rules always run first and their FAIL, BLOCKED or policy finding is never outvoted; ' +
          'list "builtin" to count its PASS toward the quorum. Default: none (the single `reviewer`).',
      ),
    require: z
      .union([z.literal('all'), z.number().int().min(1)])
      .optional()
      .describe('How many of `reviewers` must PASS: "all" or a number from 1 to the number of reviewers. Default: "all". Only with `reviewers`.'),
  })
  .superRefine((review, ctx) => {
    if (review.reviewers === undefined) {
      if (review.require !== undefined) ctx.addIssue({ code: 'custom', path: ['require'], message: 'require counts review.reviewers: give reviewers, or leave require out' });
      return;
    }
    if (review.reviewer !== BUILTIN_REVIEWER) {
      ctx.addIssue({ code: 'custom', path: ['reviewer'], message: 'give either review.reviewer (one reviewer) or review.reviewers (a quorum), not both: move it into reviewers' });
    }
    const count = review.reviewers.length;
    if (typeof review.require === 'number' && review.require > count) {
      ctx.addIssue({ code: 'custom', path: ['require'], message: `must be "all" or a number from 1 to ${count} (the number of reviewers), not ${review.require}` });
    }
    const seen = new Map<string, number>();
    review.reviewers.forEach((r, i) => {
      const name = r.name ?? r.adapter;
      const first = seen.get(name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['reviewers', i, 'name'], message: `reviewer name "${name}" is already used by reviewers[${first}]: give each reviewer of the same adapter its own name` });
      } else seen.set(name, i);
      if (r.adapter === BUILTIN_REVIEWER && (r.command !== undefined || r.model !== undefined || r.args !== undefined)) {
        ctx.addIssue({ code: 'custom', path: ['reviewers', i], message: 'the built-in reviewer takes no command, model or args' });
      }
    });
  });

/** What a packet's review asks for, in one form: the reviewers in order (never empty) and how many must PASS. */
export interface ReviewPlan {
  readonly reviewers: readonly (Reviewer & { readonly name: string })[];
  readonly require: 'all' | number;
}

/**
 * The review plan of a packet. The single-reviewer form means what it always
 * meant: the built-in rules, then that one adapter (if any), which must PASS.
 * @example
 * reviewPlan({ reviewer: 'claude' }) // { reviewers: [{ adapter: 'claude', name: 'claude' }], require: 'all' }
 */
export function reviewPlan(review: z.output<typeof ReviewSchema>): ReviewPlan {
  if (review.reviewers === undefined) {
    return { reviewers: [{ adapter: review.reviewer, name: review.reviewer }], require: 'all' };
  }
  return { reviewers: review.reviewers.map((r) => ({ ...r, name: r.name ?? r.adapter })), require: review.require ?? 'all' };
}

/** What an approval gate does when its person rejects: an integration fix round with the reason as a finding, or the run ends failed. */
export const APPROVAL_ON_REJECT = ['fix', 'end'] as const;

/** Where an approval gate stands: before every handoff, or only before a handoff that opens a pull request. */
export const APPROVAL_BEFORE = ['handoff', 'pullRequest'] as const;

/** A human gate: a named person's decision (`buran decide`) the run waits for before handoff. */
export const ApprovalGateSchema = z.strictObject({
  name: SlugSchema.describe('Gate name, unique in the packet; `buran decide --gate <name>` names it.'),
  before: z
    .enum(APPROVAL_BEFORE)
    .describe(
      'Where the run waits: "handoff" (after the integration review passed, before the handoff commit and report); "pullRequest" (the same place, ' +
        'but only when the handoff opens a pull request — config policy.pullRequest.enabled — and skipped, with the reason recorded, when it does not).',
    ),
  when: z
    .strictObject({
      paths: z
        .array(TextSchema)
        .min(1)
        .optional()
        .describe("Repo-relative globs: the gate applies when the run's change touches a matching file."),
      dependencies: z
        .literal(true)
        .optional()
        .describe(
          'true: the gate applies when the change adds a dependency to a manifest it touches (package.json, pip requirements files, Pipfile, pyproject.toml, go.mod, Cargo.toml, composer.json, Gemfile), ' +
            'or makes one of them unreadable. A changed version of a dependency already declared is not an addition.',
        ),
    })
    .optional()
    .describe('When the gate applies: any one condition given is enough; a gate whose conditions all miss is skipped (and the skip recorded). Default: always.'),
  by: z
    .array(TextSchema)
    .min(1)
    .max(20)
    .optional()
    .describe('Who may decide this gate: the names `buran decide --by` must give (as recorded; buran does not authenticate people). Default: anyone.'),
  onReject: z
    .enum(APPROVAL_ON_REJECT)
    .default('fix')
    .describe('"fix": a rejection starts an integration fix round with the reason as a finding (within limits.maxFixRounds, else fix_exhausted); "end": the run ends failed. Default: "fix".'),
});
export type ApprovalGate = z.output<typeof ApprovalGateSchema>;

export const PacketPolicySchema = z
  .strictObject({
    approvals: z
      .array(ApprovalGateSchema)
      .max(10, { error: 'at most 10 approval gates' })
      .optional()
      .describe('Human gates before handoff, asked one after another in this order; each is decided with buran decide. Default: none.'),
    protectedPaths: z
      .array(TextSchema)
      .optional()
      .describe("Extra repo-relative globs no worker may change, added to the config's policy.protectedPaths (a packet adds protection, never removes it)."),
    sandbox: z
      .strictObject({
        required: z.literal(true).optional().describe('true: the run blocks (sandbox_unavailable) rather than run unconfined, whatever the config says.'),
        network: z.literal(false).optional().describe('false: confined processes get no network, whatever the config says.'),
      })
      .optional()
      .describe('Tighter confinement for this run than the config asks for (a packet can tighten the sandbox, never loosen it).'),
  });

const limit = LimitsSchema.shape;

/**
 * LimitsSchema (same bounds and defaults) with a description on every field,
 * for the JSON Schema and docs/packet.md.
 */
export const PacketLimitsSchema = LimitsSchema.extend({
  maxAttempts: limit.maxAttempts.describe('Attempts per task per epoch; a retry after a missing, invalid or failed completion is a new attempt.'),
  maxFixRounds: limit.maxFixRounds.describe('Fix rounds per task, and separately for the integration gates; each round is a new epoch.'),
  maxDispatches: limit.maxDispatches.describe('Worker dispatches in the whole run, across all tasks, attempts and epochs; a packet raises it as far as its run needs (up to 1,000,000; a run of n tasks needs at least n).'),
  taskTimeoutSec: limit.taskTimeoutSec.describe('Wall-clock bound of one attempt, in seconds.'),
  heartbeatTimeoutSec: limit.heartbeatTimeoutSec.describe('An attempt whose heartbeat is older than this many seconds is timed out.'),
  concurrency: limit.concurrency.describe('Tasks whose workers may run at once.'),
  runTimeoutMin: limit.runTimeoutMin.describe('Wall-clock bound of the whole run, in minutes from approval; past it the run blocks with budget_exhausted. Default: none.'),
  budgetUsd: limit.budgetUsd.describe('Spend bound in US dollars, from adapter-reported usage. Default: none.'),
  budgetTokens: limit.budgetTokens.describe('Spend bound in tokens (input + output), from adapter-reported usage. Default: none.'),
});

/**
 * The work packet (`buran.packet/v1`) with every default applied; see docs/packet.md.
 * @example
 * const packet = PacketSchema.parse(raw); // throws on invalid input; prefer checkPacket(raw) for field-level problems
 */
export const PacketSchema = z
  .strictObject({
    schema: z.literal(PACKET_SCHEMA_ID).describe(`Format version; always "${PACKET_SCHEMA_ID}".`),
    id: SlugSchema.describe('Packet id; names the run branch. Slug: lowercase letters, digits, -.'),
    title: TextSchema.describe('One line naming the work, for reports and the pull request title.'),
    goal: TextSchema.describe('What the work is for, in a few sentences; given to every worker and the reviewer.'),
    base: GitRefSchema.default('HEAD').describe(
      'Git ref the run branch starts from. Default: "HEAD". Checked conservatively: no spaces, no .., no leading -, no control characters, none of ~^:?*[\\.',
    ),
    after: z
      .array(z.string().regex(RUN_ID_PATTERN, { error: 'must be a run id (1-64 characters a-z, 0-9, -, starting with a letter or digit)' }))
      .max(1, { error: 'at most one prerequisite run: a run starts from one handoff commit (stack the runs instead: A, then B after A, then C after B)' })
      .optional()
      .describe(
        'Prerequisite run (a stacked run): this run waits (status waiting) until that run is handoff-ready, then starts from its recorded ' +
          'handoff commit instead of base. The run must exist when the packet is approved. At most one. A prerequisite that blocks, ' +
          'is cancelled or fails, or whose branch moved after its handoff, blocks this run with prerequisite_failed. Default: none.',
      ),
    tasks: z.array(PacketTaskSchema).min(1).describe('The task graph (a DAG through dependsOn). At least one task.'),
    verify: z
      .array(ArgvSchema)
      .min(1)
      .describe('Verification commands, each an argv array run without a shell in the workspace. At least one; all must exit 0.'),
    setup: z
      .array(ArgvSchema)
      .max(20)
      .optional()
      .describe(
        'Commands that prepare a fresh checkout (install dependencies, link or copy what git does not track), each an argv array run ' +
          'without a shell and without variable expansion, in order, in every task worktree, the run worktree and every verification checkout, ' +
          'before the worker starts and before verification (with a queue: in each attempt\'s worktree on its worker agent); ' +
          'BURAN_REPO_ROOT holds the absolute path of your checkout (on a worker agent: its clone of the run\'s remote). ' +
          'Use ["sh", "-c", "..."] for expansion. All must exit 0, else the run blocks with setup_failed. Default: none.',
      ),
    worker: WorkerSchema,
    review: ReviewSchema.prefault({}).describe(
      'Who reviews the work before handoff. Default: the built-in reviewer. Text in the packet or in worker output can never force a verdict.',
    ),
    limits: PacketLimitsSchema.prefault({}).describe(
      'Bounds on the run; every counter is checked before the thing it bounds happens. Each field has a default; give only the ones to change.',
    ),
    policy: PacketPolicySchema.optional().describe('Extra policy for this run. Default: only the config policy applies.'),
  })
  .describe('A buran work packet: the approved description of work. Approval records the hash of the parsed packet.');

/** A packet after parsing: every default applied. */
export type Packet = z.output<typeof PacketSchema>;
/** A packet as an author writes it: defaulted fields optional. */
export type PacketInput = z.input<typeof PacketSchema>;
export type PacketTask = Packet['tasks'][number];
