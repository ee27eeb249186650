// Opens a run's trusted git configuration for the repository at `repoRoot`
// (see src/workspace/gitTrust.ts): git is asked only for where its common
// dir is and, on the first open, which config files and filters it reads.
import { realpath } from 'node:fs/promises';
import { BuranError } from '../domain/errors.js';
import { type OpenedGitTrust, openGitTrust } from '../workspace/gitTrust.js';
import { describeGitFailure, git } from '../workspace/git.js';

export async function openRunGitTrust(repoRoot: string, runDir: string, env: Readonly<Record<string, string | undefined>>): Promise<OpenedGitTrust> {
  const common = await git(repoRoot, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  if (common.exitCode !== 0) {
    throw new BuranError({ code: 'not_a_git_repo', message: describeGitFailure(['rev-parse', '--git-common-dir'], common), details: { repoRoot } });
  }
  return openGitTrust({
    runDir,
    originBase: repoRoot,
    commonDir: await realpath(common.stdout),
    env,
    configList: async () => {
      const listed = await git(repoRoot, ['config', '--list', '--show-origin', '--name-only', '-z'], { envSource: env });
      if (listed.exitCode !== 0) throw new BuranError({ code: 'internal', message: describeGitFailure(['config', '--list'], listed), details: { repoRoot } });
      return listed.stdout;
    },
  });
}
