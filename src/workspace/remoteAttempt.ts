// Attempts that ran on another machine: the task's base published to the
// run's git remote for the worker agents, and the attempt's commit brought
// back into the task worktree. The commit is the worker's output, so it is
// taken only by the id the accepted job result names, only with the task's
// base as its one parent, only without submodule entries, and only with its
// objects checked on the way in (fsck); it is fast-forwarded onto the task
// branch with buran's pinned git (no hooks; drivers the run's trusted
// configuration names are switched off as for every call).
import { BuranError } from '../domain/errors.js';
import { workspaceIdProblem } from './layout.js';
import { parseCommitSummary } from './attemptCommit.js';
import type { GitAccess } from './gitAccess.js';
import { ATTEMPT_TRAILER } from './port.js';
import type { AdoptRemoteAttemptRequest, AdoptRemoteAttemptOutcome, FetchedAttemptRef, PublishCommitRequest } from './port.js';

/** Where fetched attempt commits are kept in the user's repository (private refs; never a branch). */
export const FETCHED_ATTEMPT_PREFIX = 'refs/buran/fetched/';

/** Git checks every object it receives from the remote (malformed trees, `.git` paths, symlinked .gitmodules). */
const FSCK = ['-c', 'fetch.fsckObjects=true', '-c', 'transfer.fsckObjects=true'] as const;

const COMMIT_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
/** Further tries of a failed fetch (another process's fetch into the same repository can fail it once). */
const FETCH_RETRIES = 2;

/**
 * A remote on this file system (a path, file://) is served by a git started here, in the remote repository, with that
 * repository's config and hooks: whoever can write the remote's folder (worker machines on shared storage) would run
 * code on the runner. Its receive-pack and upload-pack are told to run no hook. Network remotes run theirs remotely.
 */
function packPrograms(remote: string): string[] {
  const local = remote.startsWith('/') || remote.startsWith('./') || remote.startsWith('../') || remote.startsWith('file:');
  return local ? ['--receive-pack=git -c core.hooksPath=/dev/null receive-pack', '--upload-pack=git -c core.hooksPath=/dev/null upload-pack'] : [];
}

export function createRemoteAttempts(access: GitAccess) {
  const { run, must, roots, ownWorktree, headCommit, diffFlags, exclusive } = access;

  /** Push `commit` to `ref` on `remote` (never forced; the same value again is a no-op). */
  async function publishCommit({ remote, commit, ref }: PublishCommitRequest): Promise<void> {
    if (!COMMIT_ID.test(commit) || !ref.startsWith('refs/buran/')) throw new BuranError({ code: 'internal', message: `publishCommit: ${commit} -> ${ref} is not a commit id and a refs/buran/ ref`, details: { commit, ref } });
    const { repo } = await roots();
    await must(repo, ['push', '--quiet', '--no-verify', ...packPrograms(remote).slice(0, 1), '--', remote, `${commit}:${ref}`]);
  }

  async function adoptRemoteAttempt(r: AdoptRemoteAttemptRequest): Promise<AdoptRemoteAttemptOutcome> {
    const idProblem = workspaceIdProblem(r.attemptId) ?? workspaceIdProblem(r.jobId ?? r.attemptId);
    if (idProblem !== null) throw new BuranError({ code: 'invalid_input', message: `attemptId ${idProblem}`, details: { attemptId: r.attemptId, jobId: r.jobId ?? null } });
    if (!COMMIT_ID.test(r.commit) || !COMMIT_ID.test(r.base)) return refused(`${r.commit} is not a full commit id`);
    const cwd = await ownWorktree(r.worktree);
    const head = await headCommit(cwd);
    // A repeated call after a crash: the commit is already the task's.
    if (head === r.commit) return summary(cwd);
    if (head !== r.base) throw new BuranError({ code: 'internal', message: `task worktree ${cwd} is at ${head}, not at the attempt's base ${r.base}`, details: { worktree: cwd, head, base: r.base } });
    const { repo } = await roots();
    // One fetch at a time into the repository: a fetch's connectivity check walks every worktree's HEAD, and one moved
    // meanwhile onto a pack another fetch just wrote is "bad object" to it. Across processes, a failed fetch is tried again.
    return exclusive(`fetch:${repo}`, async () => {
      const refusal = await fetchAndCheck(repo, r);
      if (refusal !== null) return refusal;
      await must(cwd, ['merge', '--ff-only', '--no-verify', '--no-edit', '--quiet', r.commit]);
      return summary(cwd);
    });
  }

  /** The attempt's commit fetched into a private ref and checked; the refusal, or null when it may be taken. */
  async function fetchAndCheck(repo: string, r: AdoptRemoteAttemptRequest): Promise<AdoptRemoteAttemptOutcome | null> {
    const local = `${FETCHED_ATTEMPT_PREFIX}${r.jobId ?? r.attemptId}`;
    const args = [...FSCK, 'fetch', '--no-tags', '--no-write-fetch-head', '--quiet', ...packPrograms(r.remote).slice(1), '--', r.remote, `+${r.ref}:${local}`];
    let fetched = await run(repo, args);
    for (let retry = 0; fetched.exitCode !== 0 && retry < FETCH_RETRIES; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 200 * (retry + 1)));
      fetched = await run(repo, args);
    }
    if (fetched.exitCode !== 0) {
      const why = fetched.stderr.trim().split('\n').slice(-3).join(' ');
      // The remote answering, without the ref or with objects that fail fsck, is the attempt's doing; not answering is not.
      const listed = await run(repo, ['ls-remote', '--refs', ...packPrograms(r.remote).slice(1), '--', r.remote, r.ref]);
      if (listed.exitCode !== 0) return { status: 'unreachable', reason: `could not fetch ${r.ref} from the remote: ${why}` };
      return refused(listed.stdout.trim() === '' ? `nothing was pushed to ${r.ref}` : `could not fetch ${r.ref} from the remote: ${why}`);
    }
    const tip = (await must(repo, ['rev-parse', '--verify', '--end-of-options', `${local}^{commit}`])).trim();
    if (tip !== r.commit) return refused(`${r.ref} on the remote holds ${tip}, not the commit ${r.commit} the accepted result names`);
    const [, ...parents] = (await must(repo, ['rev-list', '--parents', '-n', '1', r.commit, '--'])).trim().split(' ');
    if (parents.length !== 1 || parents[0] !== r.base) return refused(`the attempt's commit has parents ${parents.join(', ') || '(none)'}, not exactly the task's base ${r.base}`);
    const trailers = (await must(repo, ['log', '-1', `--format=%(trailers:key=${ATTEMPT_TRAILER},valueonly)`, r.commit, '--'])).split('\n').map((v) => v.trim()).filter((v) => v !== '');
    if (trailers.length !== 1 || trailers[0] !== r.attemptId) return refused(`the attempt's commit names attempt ${trailers.join(', ') || '(none)'}, not ${r.attemptId}`);
    const tree = await must(repo, ['ls-tree', '-r', '-z', '--full-tree', r.commit]);
    const gitlinks = tree.split('\0').filter((entry) => entry.startsWith('160000 ')).map((entry) => entry.split('\t')[1] ?? '');
    if (gitlinks.length > 0) return refused(`the attempt's commit holds submodule entries: ${gitlinks.slice(0, 20).join(', ')}`, gitlinks.slice(0, 20));
    return null;
  }

  async function summary(cwd: string): Promise<AdoptRemoteAttemptOutcome> {
    const args = ['log', '-1', '--format=%H%x00%T%x00', '--numstat', '-z', ...diffFlags, 'HEAD', '--'];
    const parsed = parseCommitSummary(await must(cwd, args));
    if (parsed === null) throw new BuranError({ code: 'internal', message: `git ${args.join(' ')}: unexpected output`, details: { worktree: cwd } });
    return { status: 'adopted', commit: parsed.commit, changedFiles: parsed.changedFiles };
  }

  async function fetchedAttemptRefs(attempts: readonly { readonly attemptId: string; readonly baseCommit: string; readonly jobId?: string | undefined }[]): Promise<FetchedAttemptRef[]> {
    const { repo } = await roots();
    const found: FetchedAttemptRef[] = [];
    for (const { attemptId, baseCommit, jobId } of attempts) {
      const name = jobId ?? attemptId;
      if (workspaceIdProblem(name) !== null || !COMMIT_ID.test(baseCommit)) continue;
      const ref = `${FETCHED_ATTEMPT_PREFIX}${name}`;
      const tip = await run(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
      if (tip.exitCode !== 0) continue;
      const commit = tip.stdout.trim();
      const [, ...parents] = (await must(repo, ['rev-list', '--parents', '-n', '1', commit, '--'])).trim().split(' ');
      if (parents.length === 1 && parents[0] === baseCommit) found.push({ ref, commit });
    }
    return found;
  }

  async function deleteFetchedRefs(refs: readonly FetchedAttemptRef[]): Promise<void> {
    const foreign = refs.filter(({ ref, commit }) => !ref.startsWith(FETCHED_ATTEMPT_PREFIX) || workspaceIdProblem(ref.slice(FETCHED_ATTEMPT_PREFIX.length)) !== null || !COMMIT_ID.test(commit));
    if (foreign.length > 0) throw new BuranError({ code: 'invalid_input', message: `not fetched attempt refs: ${foreign.map((f) => f.ref).join(', ')}`, details: { refs: foreign } });
    const { repo } = await roots();
    for (const { ref, commit } of refs) {
      // With the old value: git deletes it only if it still holds that commit (another run may have fetched into it since).
      const deleted = await run(repo, ['update-ref', '--no-deref', '-d', ref, commit]);
      if (deleted.exitCode === 0) continue;
      const now = await run(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', ref]);
      if (now.exitCode !== 0 || now.stdout.trim() !== commit) continue;
      await must(repo, ['update-ref', '--no-deref', '-d', ref, commit]);
    }
  }

  return { publishCommit, adoptRemoteAttempt, fetchedAttemptRefs, deleteFetchedRefs };
}

function refused(reason: string, files: readonly string[] = []): AdoptRemoteAttemptOutcome {
  return { status: 'refused', reason, files };
}
