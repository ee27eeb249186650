// An attempt's invocation under the run's sandbox plan: writable only its
// worktree and its output folder, the prompt and the adapter's declared
// config readable, the rest of the store hidden.
import { type SandboxPlan, absolutePath, confineArgv } from '../sandbox/index.js';
import type { Invocation, SandboxPaths } from './adapter.js';
import type { AttemptPaths } from './attemptFiles.js';

/** The invocation that runs `invocation` confined by `plan` (as given when there is no plan or it is unsandboxed). */
export function confineInvocation(
  invocation: Invocation,
  plan: SandboxPlan | undefined,
  paths: AttemptPaths,
  declared: SandboxPaths | undefined,
  role: 'worker' | 'reviewer' = 'worker',
): Invocation {
  const path = absolutePath(invocation.env['PATH']);
  const env = path === undefined ? invocation.env : { ...invocation.env, PATH: path };
  const argv = confineArgv(plan, invocation.argv, {
    workdir: invocation.cwd,
    workdirReadOnly: role === 'reviewer',
    env,
    writable: [paths.out, ...(declared?.writable ?? [])],
    readOnly: [paths.prompt, ...(declared?.readOnly ?? [])],
  });
  return { ...invocation, env, argv };
}
