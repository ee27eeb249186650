// A run's sandbox plan: which sandbox, and the folders every confined process
// of the run shares (the store it must not see, the repository it reads). The
// per-process confinement is built here too, so the worker, the agent reviewer
// and verification commands are confined by one rule.
import { existsSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { Confinement, Sandbox } from './port.js';
import { isWithin } from './bwrap.js';

/** Folders of per-user sockets hidden from every confined process when they exist. */
export const USER_RUNTIME_DIRS = ['/run/user'] as const;

export interface SandboxPlan {
  readonly sandbox: Sandbox;
  /** The run store: hidden from every confined process. */
  readonly storeDir: string;
  /** The user's repository (and its git dir): readable, never writable. */
  readonly repoRoot: string;
  /** Whether confined processes may use the network. */
  readonly network: boolean;
  /** Folders the operator lets every confined process write (config `sandbox.writable`). */
  readonly writable?: readonly string[];
}

export interface ConfineRequest {
  /** The worktree the process works in: writable, its working directory. */
  readonly workdir: string;
  /** True for a process that must only read its worktree (the agent reviewer). */
  readonly workdirReadOnly?: boolean;
  /** The process's environment (its HOME is made private, its PATH folders stay visible). */
  readonly env: Readonly<Record<string, string>>;
  /** The program, when given by path: its folder stays visible. */
  readonly argv0?: string;
  readonly writable?: readonly string[];
  readonly readOnly?: readonly string[];
}

/**
 * Folders a confined process must still see though they may sit in its
 * private /tmp or HOME: the repository, each absolute PATH folder and its
 * parent (an install prefix: `bin/` beside `lib/`), the program's folder.
 */
function visibleFolders(plan: SandboxPlan, request: ConfineRequest): string[] {
  const home = request.env['HOME'];
  const folders = new Set<string>([plan.repoRoot]);
  const add = (dir: string): void => {
    if (!isAbsolute(dir)) return;
    folders.add(dir);
    const parent = dirname(dir);
    // Never a folder of the private HOME or /tmp: `~/.cargo/bin` must not show `~/.cargo` (credentials beside the tools).
    const privateRoot = [home, '/tmp', '/var/tmp'].some((root) => root !== undefined && isWithin(parent, root));
    // There only the prefix's lib/ (an npm prefix keeps the tools' code there: bin/claude → ../lib/node_modules/...).
    if (parent !== '/' && !privateRoot) folders.add(parent);
    else if (parent !== '/' && parent !== home) folders.add(join(parent, 'lib'));
  };
  for (const dir of (request.env['PATH'] ?? '').split(delimiter)) if (dir !== '') add(dir);
  if (request.argv0 !== undefined && isAbsolute(request.argv0)) add(dirname(request.argv0));
  // A folder inside the store stays hidden: the store is never shown again through a PATH entry.
  return [...folders].filter((dir) => !isWithin(dir, plan.storeDir));
}

/** The confinement of one process of the run. */
export function confinementFor(plan: SandboxPlan, request: ConfineRequest): Confinement {
  return {
    workdir: request.workdir,
    ...(request.workdirReadOnly === true ? { workdirReadOnly: true } : {}),
    writable: [...(request.writable ?? []), ...(plan.writable ?? [])],
    readOnly: [join(request.workdir, '.git'), ...(request.readOnly ?? [])],
    // The store, and the per-user runtime folder: its sockets (the D-Bus session bus, ssh and gpg agents) reach programs
    // outside the sandbox, and a read-only mount does not stop connect().
    hidden: [plan.storeDir, ...USER_RUNTIME_DIRS.filter((dir) => existsSync(dir))],
    keepVisible: visibleFolders(plan, request),
    home: request.env['HOME'],
    network: plan.network,
  };
}

/** `argv` as it runs under the plan (unchanged when unsandboxed). */
export function confineArgv(plan: SandboxPlan | undefined, argv: readonly string[], request: ConfineRequest): readonly string[] {
  if (plan === undefined || plan.sandbox.kind === 'none') return argv;
  return plan.sandbox.wrap(argv, confinementFor(plan, { ...request, ...(argv[0] === undefined ? {} : { argv0: argv[0] }) }));
}

export { absolutePath } from '../platform/searchPath.js';
