// Opening (or updating) the pull request of a handoff with the GitHub CLI.
// Off unless policy enables it for the repository the `origin` remote names.
// The intent is written before the first outside call, and the call is
// idempotent: an open pull request for the run branch is updated, never
// duplicated — also when an earlier `gh pr create` worked but reported failure.
// Failure messages quote git's and gh's own output as it is; the engine redacts
// them before they are recorded (src/engine/redactResults.ts).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileDurable } from '../platform/durableWrite.js';
import { git } from '../workspace/index.js';
import { githubRepoOf } from './githubRepo.js';

export interface PullRequestPolicy {
  readonly enabled: boolean;
  /** Repositories ("owner/name") pull requests may be opened on. */
  readonly repos: readonly string[];
}

export interface PullRequestRequest {
  readonly policy: PullRequestPolicy;
  readonly repoRoot: string;
  /** The run branch: the commit below is pushed to `origin` under this name. */
  readonly branch: string;
  /** The handed-off commit id. Pushed by id, so whatever the branch points at by push time never leaves in its place. */
  readonly commit: string;
  /** The branch the pull request targets (the packet's base). */
  readonly base: string;
  readonly title: string;
  /** Markdown body (the handoff report); written to `bodyFile` and passed by path. */
  readonly body: string;
  readonly bodyFile: string;
  /** Where the intent is recorded before anything leaves the machine. */
  readonly intentFile: string;
  /** The runner's environment: gh and git use the operator's own credentials. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
  /** Epoch ms, for the intent record. */
  readonly now: number;
}

export type PullRequestOutcome =
  | { readonly status: 'skipped' }
  | { readonly status: 'opened' | 'updated'; readonly url: string; readonly repo: string; readonly number: number | null }
  | { readonly status: 'failed'; readonly message: string; readonly details: Record<string, unknown> };

const DEFAULT_TIMEOUT_MS = 120_000;

function failed(message: string, details: Record<string, unknown>): PullRequestOutcome {
  return { status: 'failed', message, details };
}

async function gh(args: readonly string[], request: PullRequestRequest) {
  // Loaded when a pull request is opened, not with every run (execa's import is a cost of each CLI start).
  const { execa } = await import('execa');
  return execa('gh', [...args], {
    cwd: request.repoRoot,
    env: { ...request.env, GH_PROMPT_DISABLED: '1', NO_COLOR: '1' },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    forceKillAfterDelay: 2_000,
    stripFinalNewline: true,
  });
}

function ghFailure(step: string, result: { exitCode?: number | undefined; stderr: string; message?: string | undefined }): PullRequestOutcome {
  const reason = result.stderr.trim() !== '' ? result.stderr.trim() : (result.message ?? 'gh did not run');
  return failed(`gh ${step} failed: ${reason.split('\n').slice(-3).join(' ')}`, { step, exitCode: result.exitCode ?? null });
}

/** Push the run branch and open or update its pull request; `skipped` when policy leaves it off. */
export async function openPullRequest(request: PullRequestRequest): Promise<PullRequestOutcome> {
  if (!request.policy.enabled) return { status: 'skipped' };
  const remote = await git(request.repoRoot, ['config', '--get', 'remote.origin.url']);
  const url = remote.exitCode === 0 ? remote.stdout.trim() : '';
  const repo = githubRepoOf(url);
  if (repo === null) {
    return failed(`pull requests are enabled, but the origin remote (${url === '' ? 'none' : url}) is not a GitHub repository`, { remote: url });
  }
  if (!request.policy.repos.includes(repo)) {
    return failed(`pull requests are enabled, but ${repo} is not in policy.pullRequest.repos`, { repo, allowed: [...request.policy.repos] });
  }
  // The push must go where the checked URL points: a pushurl or pushInsteadOf would send the
  // run branch, with the operator's credentials, somewhere the allowlist never saw.
  const fetchUrl = await git(request.repoRoot, ['remote', 'get-url', 'origin']);
  const pushUrl = await git(request.repoRoot, ['remote', 'get-url', '--push', 'origin']);
  if (fetchUrl.exitCode !== 0 || pushUrl.exitCode !== 0 || fetchUrl.stdout.trim() !== pushUrl.stdout.trim()) {
    return failed(`the origin remote pushes to ${pushUrl.stdout.trim() || 'an unknown URL'}, not where it fetches from (${fetchUrl.stdout.trim() || 'unknown'}); remove remote.origin.pushurl / pushInsteadOf`, {
      repo,
      fetchUrl: fetchUrl.stdout.trim(),
      pushUrl: pushUrl.stdout.trim(),
    });
  }

  const baseBranch = await git(request.repoRoot, ['show-ref', '--verify', '--quiet', `refs/heads/${request.base}`]);
  if (request.base === 'HEAD' || baseBranch.exitCode !== 0) {
    return failed(`pull requests need packet.base to name a local branch; "${request.base}" does not`, { base: request.base });
  }
  await mkdir(dirname(request.intentFile), { recursive: true });
  await writeFileDurable(request.intentFile, `${JSON.stringify({ repo, branch: request.branch, commit: request.commit, base: request.base, title: request.title, at: new Date(request.now).toISOString() }, null, 2)}\n`);
  await writeFileDurable(request.bodyFile, request.body);

  const push = await git(request.repoRoot, ['push', '--porcelain', 'origin', `${request.commit}:refs/heads/${request.branch}`], {
    timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    envSource: request.env,
  });
  if (push.exitCode !== 0) return failed(`git push of ${request.commit} to ${request.branch} on origin failed: ${push.stderr.trim().split('\n').slice(-2).join(' ')}`, { step: 'push', repo, commit: request.commit });

  const listed = await gh(['pr', 'list', '--repo', repo, '--head', request.branch, '--state', 'open', '--json', 'number,url'], request);
  if (listed.exitCode !== 0) return ghFailure('pr list', listed);
  let open: { number: number; url: string }[];
  try {
    open = parseList(listed.stdout);
  } catch (error) {
    return failed(`gh pr list printed something other than its JSON list: ${(error as Error).message}`, { step: 'pr list' });
  }
  const existing = open[0];
  if (existing !== undefined) {
    const edited = await gh(['pr', 'edit', String(existing.number), '--repo', repo, '--title', request.title, '--body-file', request.bodyFile], request);
    if (edited.exitCode !== 0) return ghFailure('pr edit', edited);
    return { status: 'updated', url: existing.url, repo, number: existing.number };
  }
  const created = await gh(['pr', 'create', '--repo', repo, '--head', request.branch, '--base', request.base, '--title', request.title, '--body-file', request.bodyFile], request);
  if (created.exitCode !== 0) return ghFailure('pr create', created);
  const link = created.stdout.split('\n').map((l) => l.trim()).filter((l) => /^https:\/\/\S+\/pull\/\d+$/.test(l)).at(-1);
  if (link === undefined) return failed('gh pr create succeeded but printed no pull request URL', { step: 'pr create', stdout: created.stdout.slice(-500) });
  return { status: 'opened', url: link, repo, number: Number(link.split('/').at(-1)) };
}

function parseList(text: string): { number: number; url: string }[] {
  const value: unknown = JSON.parse(text === '' ? '[]' : text);
  if (!Array.isArray(value)) throw new Error('not an array');
  return value.map((item: unknown) => {
    const o = item as { number?: unknown; url?: unknown };
    if (typeof o.number !== 'number' || typeof o.url !== 'string') throw new Error('an entry lacks number or url');
    return { number: o.number, url: o.url };
  });
}
