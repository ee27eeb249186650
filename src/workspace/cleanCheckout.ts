// A clean, detached checkout of a worktree's HEAD in the run's verify folder:
// nothing the worker left untracked or ignored takes part in verification.
// A new checkout is git's own `worktree add` of the commit; a reused one is
// reset (checkout --force, clean -ffdx). Either way one `git status` proves it
// is exactly that commit with nothing else in it.
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BuranError } from '../domain/errors.js';
import type { GitAccess } from './gitAccess.js';
import { verifyWorktreePath, workspaceIdProblem } from './layout.js';
import type { CleanCheckout } from './port.js';

/** `git status --porcelain=v2 --branch -z`: the `# branch.oid` header, and every entry (anything there is not clean). */
export function parseStatusV2(output: string): { oid: string | null; entries: string[] } {
  const fields = output.split('\0').filter((f) => f !== '');
  const oid = fields.find((f) => f.startsWith('# branch.oid '))?.slice('# branch.oid '.length) ?? null;
  return { oid, entries: fields.filter((f) => !f.startsWith('# ')) };
}

/**
 * `cleanCheckout` of the git workspace. `trees` holds the trees of commits
 * buran made (content-addressed, never stale); the HEAD commit is read from
 * git's files when they say it plainly (gitAccess.headCommit).
 */
export function createCleanCheckout(access: GitAccess, trees: ReadonlyMap<string, string>) {
  const { must, roots, ownWorktree, exclusive, headCommit } = access;
  return async function cleanCheckout({ runId, name, worktree }: { runId: string; name: string; worktree: string }): Promise<CleanCheckout> {
    const idProblem = workspaceIdProblem(name);
    if (idProblem !== null) throw new BuranError({ code: 'invalid_input', message: `checkout name ${idProblem}`, details: { name } });
    const from = await ownWorktree(worktree);
    let commit = await headCommit(from);
    let tree = trees.get(commit);
    if (tree === undefined) {
      const ids = (await must(from, ['rev-parse', 'HEAD^{commit}', 'HEAD^{tree}', '--'])).split('\n');
      [commit = '', tree = ''] = ids;
      if (!/^[0-9a-f]{40,64}$/.test(commit) || !/^[0-9a-f]{40,64}$/.test(tree)) throw new BuranError({ code: 'internal', message: `git rev-parse HEAD in ${from}: unexpected output`, details: { worktree: from } });
    }
    const { repo, store, gitDirs } = await roots();
    const target = verifyWorktreePath(store, runId, name);
    await mkdir(dirname(target), { recursive: true });
    const path = join(await realpath(dirname(target)), basename(target));
    const added = await exclusive(`worktrees:${repo}`, async () => {
      // Registered from the repository's side and there: reused (reset below).
      if (gitDirs.adminDirOf(path) !== null && (await stat(path).then(() => true, () => false))) return false;
      await rm(path, { recursive: true, force: true });
      await must(repo, ['worktree', 'add', '--force', '--detach', '--', path, commit]);
      return true;
    });
    if (!added) {
      await must(path, ['checkout', '--quiet', '--detach', '--force', commit]);
      await must(path, ['clean', '-ffdxq']);
    }
    const status = parseStatusV2(await must(path, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--ignored=matching', '--ignore-submodules=all']));
    if (status.oid !== commit || status.entries.length > 0) {
      throw new BuranError({ code: 'internal', message: `the verification checkout ${path} is not a clean checkout of ${commit}`, details: { path, commit, head: status.oid, status: status.entries.join('\n') } });
    }
    return { path, commit, tree };
  };
}
