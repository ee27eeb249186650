// Whether bubblewrap works here, found once per process by running it: an
// installed bwrap can still fail (user namespaces off, a container without
// the needed privileges), and only a real start proves it.
import { findOnPath, isExecutableFile } from '../worker/findExecutable.js';
import type { SandboxChoice, SandboxMode } from './port.js';
import { UNSANDBOXED } from './port.js';
import { createBwrapSandbox } from './bwrap.js';
import { runText } from '../platform/runText.js';

/** What a probe found: the bwrap that works, or why none does. */
export type BwrapProbe = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/** Where bwrap is looked for: the system folders only (a PATH entry the user or a worker controls must not supply the sandbox). */
export const BWRAP_DIRS = ['/usr/bin', '/bin', '/usr/local/bin'] as const;

const cached = new Map<string, Promise<BwrapProbe>>();

/**
 * Finds and starts bwrap once (`true` inside the full confinement shape); later calls return the same answer.
 * `at`: the one bwrap executable to use instead of searching BWRAP_DIRS (the operator's BURAN_BWRAP, read by
 * openProject; a path that does not exist is how tests stand for a machine without bubblewrap).
 */
export function probeBwrap(at?: string): Promise<BwrapProbe> {
  const key = at ?? '';
  let probe = cached.get(key);
  if (probe === undefined) {
    probe = probeNow(at);
    cached.set(key, probe);
  }
  return probe;
}

async function probeNow(at: string | undefined): Promise<BwrapProbe> {
  const path = at === undefined ? await findOnPath('bwrap', BWRAP_DIRS, '/') : (await isExecutableFile(at)) ? at : null;
  if (path === null) return { ok: false, reason: at === undefined ? `bwrap (bubblewrap) is not installed in ${BWRAP_DIRS.join(', ')}` : `bwrap is not an executable file at ${at} (BURAN_BWRAP)` };
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-all', '--share-net', '--die-with-parent', '--', 'true'];
  const result = await runText(path, args, { cwd: '/', env: {}, timeoutMs: 10_000 });
  if (result.exitCode === 0) return { ok: true, path };
  const reason = (result.stderr || result.failure || `exit ${String(result.exitCode)}`).split('\n')[0] ?? '';
  return { ok: false, reason: `${path} does not start a sandbox here: ${reason}` };
}

/**
 * The sandbox a run uses under `mode`: bwrap when it works; under `auto`
 * without it, unsandboxed with a note saying so; under `required` without it,
 * unavailable (the run blocks with sandbox_unavailable before anything runs).
 */
export function chooseSandbox(mode: SandboxMode, probe: BwrapProbe): SandboxChoice {
  if (mode === 'none') return { status: 'ok', mode, sandbox: UNSANDBOXED, note: 'unsandboxed: sandbox mode none (trusted workers)' };
  if (probe.ok) return { status: 'ok', mode, sandbox: createBwrapSandbox(probe.path), note: `bwrap (${probe.path})` };
  if (mode === 'auto') return { status: 'ok', mode, sandbox: UNSANDBOXED, note: `unsandboxed: ${probe.reason}` };
  return { status: 'unavailable', mode, message: `sandbox: required, but ${probe.reason}`, details: { mode, reason: probe.reason } };
}
