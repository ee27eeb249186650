// The run's sandbox, decided when a driver opens the run: the config's policy
// tightened by the packet's, bubblewrap probed once, and the choice recorded
// in the run folder (`sandbox.json`) so status and report say how the run's
// processes were confined.
import { readFile, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import type { Config } from '../domain/config.js';
import type { Packet } from '../domain/packet.js';
import { type SandboxChoice, type SandboxPlan, chooseSandbox, effectiveSandboxPolicy, probeBwrap, writableFolders } from '../sandbox/index.js';
import { writeFileDurable } from '../platform/durableWrite.js';

export const SANDBOX_RECORD_FILE = 'sandbox.json';

export const SandboxRecordSchema = z.strictObject({
  mode: z.enum(['auto', 'required', 'none']),
  /** `bwrap`: confined; `none`: unsandboxed; `unavailable`: required but could not be set up (nothing ran). */
  kind: z.enum(['bwrap', 'none', 'unavailable']),
  network: z.boolean(),
  /** One line for people: "bwrap (/usr/bin/bwrap)", "unsandboxed: …". */
  note: z.string(),
  decidedAt: z.string(),
});
export type SandboxRecord = z.output<typeof SandboxRecordSchema>;

export interface ResolvedSandbox {
  readonly choice: SandboxChoice;
  /** Null when nothing may run (required but unavailable). */
  readonly plan: SandboxPlan | null;
  readonly record: SandboxRecord;
}

export async function resolveSandbox(o: {
  readonly config: Config;
  readonly packet: Packet;
  readonly repoRoot: string;
  readonly storeDir: string;
  readonly runDir: string;
  readonly now: number;
  /** The bwrap to use instead of searching the system folders (BURAN_BWRAP); absolute. */
  readonly bwrap?: string;
}): Promise<ResolvedSandbox> {
  const policy = effectiveSandboxPolicy(o.config.sandbox, o.packet.policy?.sandbox);
  const choice = chooseSandbox(policy.mode, policy.mode === 'none' ? { ok: false, reason: 'not probed' } : await probeBwrap(o.bwrap));
  const record: SandboxRecord = {
    mode: policy.mode,
    kind: choice.status === 'ok' ? choice.sandbox.kind : 'unavailable',
    network: policy.network,
    note: choice.status === 'ok' ? choice.note : choice.message,
    decidedAt: new Date(o.now).toISOString(),
  };
  const previous = await readSandboxRecord(o.runDir);
  if (previous === null || previous.kind !== record.kind || previous.note !== record.note || previous.network !== record.network) {
    await writeFileDurable(join(o.runDir, SANDBOX_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }
  if (choice.status !== 'ok') return { choice, plan: null, record };
  // bwrap mounts real paths: the worktrees it binds are real paths too.
  const plan: SandboxPlan = { sandbox: choice.sandbox, storeDir: await realOrResolved(o.storeDir), repoRoot: await realpath(o.repoRoot), network: policy.network, writable: await writableFolders(o.config.sandbox.writable, [await realpath(o.repoRoot), await realOrResolved(o.storeDir)], 'sandbox.writable') };
  return { choice, plan, record };
}


/** The real path, or the absolute one while the folder does not exist yet (an embedding host's store may create it later). */
async function realOrResolved(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

/** How a run is confined, for people: "sandbox: bwrap (/usr/bin/bwrap)", "unsandboxed: <reason>", "sandbox unavailable: <reason>". Pure. */
export function sandboxSummary(s: Pick<SandboxRecord, 'kind' | 'network' | 'note'> | null): string {
  if (s === null) return 'sandbox: not decided yet (no driver has opened the run)';
  if (s.kind === 'bwrap') return `sandbox: ${s.note}${s.network ? '' : ', no network'}`;
  if (s.kind === 'none') return s.note.startsWith('unsandboxed') ? s.note : `unsandboxed: ${s.note}`;
  return `sandbox unavailable: ${s.note}`;
}

/** One word for a run list: bwrap, unsandboxed, unavailable, or ? (not decided yet). Pure. */
export function sandboxWord(s: { readonly kind: string } | null): string {
  if (s === null) return '?';
  return s.kind === 'none' ? 'unsandboxed' : s.kind;
}

/** The recorded sandbox of a run; null when no driver has opened it yet (or the record does not parse). */
export async function readSandboxRecord(runDir: string): Promise<SandboxRecord | null> {
  return sandboxRecordOf(await readFile(join(runDir, SANDBOX_RECORD_FILE), 'utf8').catch(() => null));
}

/** The sandbox record in a sandbox.json's content (text or bytes); null when absent or it does not parse. */
export function sandboxRecordOf(content: unknown): SandboxRecord | null {
  const text = content instanceof Uint8Array ? Buffer.from(content).toString('utf8') : content;
  if (typeof text !== 'string') return null;
  try {
    const parsed = SandboxRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // a torn or edited record is shown as unknown, never trusted
  }
}
