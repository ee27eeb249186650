import * as z from 'zod';
import { SlugSchema } from './packet.js';
import { globSyntaxProblem } from './globSyntax.js';
import { type Problem, findForbiddenKeys, formatPath, limitProblems, mergeProblems, problemsFromZod, zodErrorMap } from './problems.js';
import { valueAt } from './rightForm.js';

/** The `schema` value of a version-1 config (`.buran/config.json`). */
export const CONFIG_SCHEMA_ID = 'buran.config/v1';

const EnvNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name (letters, digits, _)' });

const RepoNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { error: 'must be a GitHub repository as "owner/name"' });

/**
 * Only these variables reach workers and verification commands by default:
 * enough for tools to find executables, a home and a locale; secrets in the
 * parent environment (tokens, cloud keys) stay out unless named.
 */
export const DEFAULT_ENV_ALLOWLIST = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'USER'] as const;

/**
 * Paths no worker may change. buran's own state and git internals; CI
 * definitions (changing them could weaken the gates outside buran); lock and
 * manifest files (new dependencies deserve a human look); and test and
 * compiler configs (an agent could otherwise make failing checks pass by
 * loosening them).
 */
export const DEFAULT_PROTECTED_PATHS = [
  '.buran/**',
  '.git/**',
  '.github/**',
  '.gitlab-ci.yml',
  '.ci/**',
  'package-lock.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'package.json',
  'vitest.config.*',
  'jest.config.*',
  'tsconfig*.json',
] as const;

/** US dollars per million tokens of one model, for adapters whose tool reports tokens but no cost. */
export const ModelPriceSchema = z
  .strictObject({
    inputUsdPerMTok: z.number().min(0).describe('US dollars per million input (prompt) tokens that were not served from cache.'),
    outputUsdPerMTok: z.number().min(0).describe('US dollars per million output tokens (reasoning included).'),
    cachedInputUsdPerMTok: z.number().min(0).optional().describe('US dollars per million cached input tokens; default: the input price.'),
  })
  .describe('Prices of one model.');

export const AdapterConfigSchema = z
  .strictObject({
    executable: z.string().min(1).optional().describe("Path or name of the adapter's executable; default: the adapter's usual command on PATH."),
    model: z.string().min(1).optional().describe('Model the adapter uses unless the packet names one.'),
    maxTurns: z.number().int().min(1).optional().describe('Most agent turns per attempt, where the adapter supports it; bounds a looping agent.'),
    extraArgs: z.array(z.string()).optional().describe('Arguments added to every worker invocation of this adapter (not to its reviewer runs).'),
    reviewerArgs: z
      .array(z.string())
      .optional()
      .describe(
        'Arguments added when this adapter reviews, instead of extraArgs (left out so they cannot undo the read-only flags). ' +
          'Only what the reviewer needs to run (e.g. a provider); never a permission or sandbox setting.',
      ),
    envAllowlist: z.array(EnvNameSchema).optional().describe('Extra environment variables this adapter receives (e.g. its API key), on top of env.allowlist.'),
    prices: z
      .record(z.string().min(1), ModelPriceSchema)
      .optional()
      .describe(
        'Prices by model name, used when the tool reports tokens but no cost (codex, gemini). ' +
          'Without a price for the model the cost is unknown, and a run with a spend budget blocks rather than guess.',
      ),
  })
  .describe('Settings for one worker or reviewer adapter.');

/**
 * How processes run on the worker's behalf are confined. `auto` uses
 * bubblewrap where it works and says "unsandboxed" everywhere a run is shown
 * when it does not; `required` blocks the run (sandbox_unavailable) instead;
 * `none` is the explicit trusted-worker mode.
 */
export const SandboxPolicySchema = z.strictObject({
  mode: z
    .enum(['auto', 'required', 'none'])
    .default('auto')
    .describe(
      'auto (default): bubblewrap where it works, else unsandboxed and said so; required: block the run with sandbox_unavailable when bubblewrap cannot be set up; ' +
        'none: never confine (trusted workers only; tampering is detected where it can be, not prevented).',
    ),
  network: z.boolean().default(true).describe('Whether confined processes may use the network. Default true (agents need their API); false cuts it (for the command adapter).'),
  writable: z
    .array(z.string().min(1).refine((path) => path.startsWith('/'), { error: 'must be an absolute path' }))
    .default(() => [])
    .describe('Further absolute folders confined processes may write (a shared package cache, for example). Default: none; never the repository or the store.'),
});

/**
 * Where a run's attempts go when they run on worker agents (`buran worker`) instead of this machine.
 * `url` may come from BURAN_QUEUE_URL instead (it wins); without either, attempts run here.
 */
export const QueueConfigSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' })
      .optional()
      .describe('The Redis the attempt queue lives on (it must keep what it acknowledges: appendonly yes, appendfsync always, maxmemory-policy noeviction). BURAN_QUEUE_URL wins over it.'),
    remote: z
      .string()
      .min(1)
      .describe('A git URL the runner and every worker machine can fetch from and push to (a bare repository path works): task bases go there, attempt commits come back from refs/buran/attempts/<attemptId>.'),
  })
  .describe('Run attempts on worker agents over BullMQ and Redis (docs/distributed.md). Default: unset, attempts run on this machine.');

/** The run statuses that notify: the places a run stops and waits for a person (`waiting`: an approval gate, not a prerequisite run). */
export const NOTIFY_STATUSES = ['blocked', 'paused', 'waiting', 'handoff_ready'] as const;

/**
 * Who hears about a run that blocks, pauses or becomes handoff-ready. Both are
 * optional; with neither, nothing is sent. A failed notification is recorded
 * (`notify_failed`) and never changes the run.
 */
export const NotifySchema = z
  .strictObject({
    command: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('A command (argv, no shell) run in the repository root with the status JSON on stdin; exit 0 means delivered.'),
    webhook: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .optional()
      .describe('A URL the status JSON is POSTed to (application/json); a 2xx answer means delivered. Only its origin is recorded in the run log.'),
    attempts: z.number().int().min(1).max(10).default(3).describe('Tries per target before the notification counts as failed (backoff 0.5 s, 1 s, 2 s, …). Default 3.'),
    timeoutSec: z.number().int().min(1).max(120).default(10).describe('Time limit of one try (seconds). Default 10.'),
  })
  .describe('Notifications when a run blocks, pauses or becomes handoff-ready, with the same JSON as `buran status --run <id> --json`.');

/**
 * The repository config (`.buran/config.json`, `buran.config/v1`).
 * @example
 * const config = ConfigSchema.parse({ schema: 'buran.config/v1', env: { allowlist: ['PATH', 'HOME'] } });
 */
export const ConfigSchema = z
  .strictObject({
    schema: z.literal(CONFIG_SCHEMA_ID).describe(`Format version; always "${CONFIG_SCHEMA_ID}".`),
    adapters: z
      .record(SlugSchema, AdapterConfigSchema)
      .default(() => ({}))
      .describe('Adapter settings by adapter name. Default: none, so every adapter runs with its own defaults.'),
    env: z
      .strictObject({
        allowlist: z
          .array(EnvNameSchema)
          .default(() => [...DEFAULT_ENV_ALLOWLIST])
          .describe(
            'Environment variables passed to workers and verification commands; everything else is dropped. ' +
              'The default is just enough for tools to run, so secrets in your shell do not leak to agents.',
          ),
      })
      .prefault({})
      .describe('What environment child processes see.'),
    policy: z
      .strictObject({
        protectedPaths: z
          .array(z.string().min(1))
          .default(() => [...DEFAULT_PROTECTED_PATHS])
          .describe(
            'Repo-relative globs no worker may change; a change to one is a policy violation, never retried. ' +
              'The default protects buran and git state, CI definitions, dependency manifests and lock files, ' +
              'and test/compiler configs, so an agent cannot pass the gates by weakening them. Packets can add more.',
          ),
        pullRequest: z
          .strictObject({
            enabled: z.boolean().default(false).describe('Open a pull request with gh at handoff. Default: false; the handoff is a local branch until a human opts in.'),
            repos: z
              .array(RepoNameSchema)
              .default(() => [])
              .describe('Repositories ("owner/name") pull requests may be opened on. Default: none, so enabling alone opens nothing by accident.'),
          })
          .prefault({})
          .describe('Whether handoff may open a pull request, and where.'),
      })
      .prefault({})
      .describe('Rules the runner enforces on every run.'),
    sandbox: SandboxPolicySchema.prefault({}).describe('How workers, agent reviewers and verification commands are confined.'),
    notify: NotifySchema.prefault({}).describe('Who is told when a run blocks, pauses or becomes handoff-ready. Default: nobody.'),
    commits: z
      .strictObject({
        author: z
          .strictObject({
            name: z.string().trim().min(1).describe('Author and committer name.'),
            email: z.string().trim().min(1).describe('Author and committer email.'),
          })
          .optional()
          .describe("Who buran's commits are by. Default: your git identity (user.name and user.email of the repository's git config); buran <buran@localhost> only when git has none."),
      })
      .prefault({})
      .describe('The commits buran makes on task and run branches; each carries a "Buran-Run: <runId>" trailer.'),
    queue: QueueConfigSchema.optional(),
    store: z
      .strictObject({
        dir: z
          .string()
          .min(1)
          .default('.buran')
          .describe('Directory of the run store, relative to the repository root. Default: ".buran", which is also protected by default.'),
      })
      .prefault({})
      .describe('Where runs are recorded.'),
  })
  .describe('buran configuration for one repository (.buran/config.json).');

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type AdapterConfig = z.output<typeof AdapterConfigSchema>;
export type SandboxPolicy = z.output<typeof SandboxPolicySchema>;
export type ModelPrice = z.output<typeof ModelPriceSchema>;
export type NotifyConfig = z.output<typeof NotifySchema>;
export type QueueConfig = z.output<typeof QueueConfigSchema>;
export type NotifyStatus = (typeof NOTIFY_STATUSES)[number];

/**
 * The configuration used when a repository has no config file.
 * @example
 * createLocalEffects({ ...options, config: DEFAULT_CONFIG });
 */
export const DEFAULT_CONFIG: Config = ConfigSchema.parse({ schema: CONFIG_SCHEMA_ID });

/** Protected-path globs using syntax the matcher does not support, read from the raw input (the shape check reports wrong types). */
function protectedGlobProblems(raw: unknown): Problem[] {
  const globs = valueAt(raw, ['policy', 'protectedPaths']);
  if (!Array.isArray(globs)) return [];
  return globs.flatMap((glob: unknown, i) => {
    const problem = typeof glob === 'string' ? globSyntaxProblem(glob) : null;
    return problem === null ? [] : [{ path: formatPath(['policy', 'protectedPaths', i]), code: 'unsupported_glob', message: problem }];
  });
}

/** Checks untrusted config input. Pure; every problem is reported with its path. */
export function checkConfig(raw: unknown): { config: Config | null; problems: Problem[] } {
  const forbidden = findForbiddenKeys(raw);
  const shape = ConfigSchema.safeParse(raw, { error: zodErrorMap });
  const shapeProblems = shape.success ? [] : problemsFromZod(shape.error.issues);
  const problems = limitProblems(mergeProblems(mergeProblems(forbidden, shapeProblems), protectedGlobProblems(raw)));
  return { config: shape.success && problems.length === 0 ? shape.data : null, problems };
}
