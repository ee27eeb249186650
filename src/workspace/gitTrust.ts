// The git configuration a run trusts, captured before any worker ran: the
// files that can make git run a program or hide a file (the repository's
// config, info/ and hooks/, per-worktree config, the user's global config and
// everything they include). buran refuses to run git once one of them changed,
// and after each attempt it compares them, puts the trusted content back and
// keeps the changed copy as evidence. Git itself is also told to ignore the
// executables those files name (see gitOverrides).
import { lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, type BigIntStats } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod';
import { BuranError } from '../domain/errors.js';
import { sha256 } from '../domain/hash.js';
import { writeFileDurable } from '../platform/durableWrite.js';

/** One watched file: its content digest when captured (null: it did not exist). */
export interface TrustedFile {
  readonly path: string;
  readonly digest: string | null;
  /** Permission bits (a hook stays executable when put back). */
  readonly mode?: number;
}

/** What a run trusts: the watched files, the folders whose new entries are changes, the driver names to neutralise. */
export interface GitTrustRecord {
  readonly schema: 'buran.git-trust/v1';
  readonly files: readonly TrustedFile[];
  /** Folders (hooks/, info/) where any file not in `files` is a change. */
  readonly folders: readonly string[];
  /** Filter driver names configured when captured: their programs are switched off on every git call. */
  readonly drivers: readonly string[];
}

/** git-trust.json as read back: a record that does not parse is store_corrupt, never a silently empty trust. */
const GitTrustRecordSchema = z.strictObject({
  schema: z.literal('buran.git-trust/v1'),
  files: z.array(z.strictObject({ path: z.string().min(1), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/).nullable(), mode: z.number().int().min(0).optional() })),
  folders: z.array(z.string().min(1)),
  drivers: z.array(z.string()),
});

function readGitTrustRecord(file: string, text: Buffer): GitTrustRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text.toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = GitTrustRecordSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BuranError({
      code: 'store_corrupt',
      message: `${file} is not a buran.git-trust/v1 record (${raw === undefined ? 'not JSON' : (parsed.error.issues[0]?.message ?? 'wrong shape')}): the run's trusted git configuration cannot be read`,
      details: { path: file, reason: raw === undefined ? 'invalid_json' : 'bad_shape' },
    });
  }
  return parsed.data as GitTrustRecord;
}

/** A change to a trusted file: what it was (null: absent) and what it is now (null: gone). */
export interface GitTrustChange {
  readonly path: string;
  readonly trusted: string | null;
  readonly current: string | null;
}

const digestOf = (bytes: Buffer): string => sha256(bytes);

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null; // missing (or a folder): compared as absent
  }
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? listFiles(path) : [path];
    });
  } catch {
    return [];
  }
}

/** The files git reads configuration, attributes, excludes and hooks from, for a repository whose common git dir is `commonDir`. */
export function watchedPaths(
  commonDir: string,
  env: Readonly<Record<string, string | undefined>>,
  includes: readonly string[],
  originBase: string = commonDir,
): { files: string[]; folders: string[] } {
  const home = env['HOME'];
  const xdg = env['XDG_CONFIG_HOME'] ?? (home === undefined ? undefined : join(home, '.config'));
  const folders = [join(commonDir, 'hooks'), join(commonDir, 'info')];
  const files = [
    join(commonDir, 'config'),
    join(commonDir, 'config.worktree'),
    join(commonDir, 'info', 'attributes'),
    join(commonDir, 'info', 'exclude'),
    // Worktree admin folders come and go with runs: their commondir is checked where it is used (worktreeGitDir.ts), and a
    // per-worktree config.worktree is read only under extensions.worktreeConfig, which lives in the watched config.
    '/etc/gitconfig',
    ...(home === undefined ? [] : [join(home, '.gitconfig')]),
    ...(xdg === undefined ? [] : [join(xdg, 'git', 'config'), join(xdg, 'git', 'attributes')]),
    ...includes.map((path) => (isAbsolute(path) ? path : resolve(originBase, path))),
  ];
  return { files: [...new Set(files)], folders };
}

/** Captures the trusted state now. `configList` is `git config --list --show-origin --name-only -z` of the repository. */
export function captureGitTrust(commonDir: string, env: Readonly<Record<string, string | undefined>>, configList: string, originBase: string = commonDir): GitTrustRecord {
  const { origins, drivers } = parseConfigList(configList);
  const { files, folders } = watchedPaths(commonDir, env, origins, originBase);
  const all = [...new Set([...files, ...folders.flatMap(listFiles)])];
  return {
    schema: 'buran.git-trust/v1',
    files: all.map((path) => {
      const bytes = readOrNull(path);
      const stats = statOrUndefined(path);
      return { path, digest: bytes === null ? null : digestOf(bytes), ...(stats === undefined ? {} : { mode: Number(stats.mode & 0o777n) }) };
    }),
    folders,
    drivers,
  };
}

/** The config files (origins) and driver names in `git config --list --show-origin --name-only -z` output. */
export function parseConfigList(text: string): { origins: string[]; drivers: string[] } {
  const fields = text.split('\0');
  const origins = new Set<string>();
  const drivers = new Set<string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const origin = fields[i] ?? '';
    const key = fields[i + 1] ?? '';
    if (origin.startsWith('file:')) origins.add(origin.slice('file:'.length));
    const driver = /^filter\.(.+)\.[^.]+$/i.exec(key);
    if (driver?.[1] !== undefined) drivers.add(driver[1]);
  }
  return { origins: [...origins], drivers: [...drivers].sort() };
}

/**
 * The `-c` settings that switch off the filter programs the trusted config
 * names (an empty, optional filter leaves content as it is): buran commits
 * the worktree's bytes as verification saw them. Diff drivers are off through
 * --no-ext-diff / --no-textconv on every diff; an empty diff or merge driver
 * would make git fail ("cannot run"), so those are not overridden here: the
 * guard keeps them as the user configured them (docs/security.md).
 */
export function driverOverrides(drivers: readonly string[]): string[] {
  return drivers.flatMap((name) => ['-c', `filter.${name}.clean=`, '-c', `filter.${name}.smudge=`, '-c', `filter.${name}.process=`, '-c', `filter.${name}.required=false`]);
}

/** Stat identity: a change to content, inode or ctime (which no user can set back) means "look again". */
type Identity = string;
const identityOf = (stats: BigIntStats | undefined): Identity =>
  stats === undefined ? 'absent' : `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;

function statOrUndefined(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/**
 * Compares the watched files with a trusted record. Cheap when nothing
 * changed (one lstat per file, no read): contents are hashed only for files
 * whose stat identity moved since the last check.
 */
export class GitTrustGuard {
  private readonly seen = new Map<string, Identity>();

  constructor(readonly record: GitTrustRecord) {}

  /** The first change, or null when every watched file is as trusted. */
  check(): GitTrustChange | null {
    const trusted = new Map(this.record.files.map((f) => [f.path, f.digest]));
    const paths = [...trusted.keys(), ...this.record.folders.flatMap(listFiles).filter((path) => !trusted.has(path))];
    for (const path of paths) {
      const identity = identityOf(statOrUndefined(path));
      if (this.seen.get(path) === identity) continue;
      const expected = trusted.get(path) ?? null;
      const bytes = identity === 'absent' ? null : readOrNull(path);
      const current = bytes === null ? null : digestOf(bytes);
      if (current !== expected) return { path, trusted: expected, current };
      this.seen.set(path, identity);
    }
    return null;
  }

  /**
   * Puts every changed file back as trusted (content from `copies`, the folder
   * of trusted copies; a file that did not exist is removed) and moves the
   * changed version into `quarantine`. Returns what was restored.
   */
  async restore(copies: string, quarantine: string): Promise<GitTrustChange[]> {
    const modes = new Map(this.record.files.map((f) => [f.path, f.mode ?? 0o644]));
    const restored: GitTrustChange[] = [];
    for (let change = this.check(); change !== null; change = this.check()) {
      mkdirSync(quarantine, { recursive: true });
      if (change.current !== null) renameSync(change.path, join(quarantine, `${Date.now()}-${basename(change.path)}`));
      if (change.trusted !== null) {
        const bytes = readOrNull(join(copies, change.trusted.slice('sha256:'.length)));
        if (bytes === null) throw new Error(`the trusted copy of ${change.path} is missing from ${copies}`);
        await writeFileDurable(change.path, bytes, { mode: modes.get(change.path) ?? 0o644 });
      } else {
        rmSync(change.path, { force: true });
      }
      this.seen.delete(change.path);
      restored.push(change);
    }
    return restored;
  }
}

/** Keeps a copy of each trusted file's content under `copies` (named by digest), so it can be put back. */
export async function keepTrustedCopies(record: GitTrustRecord, copies: string): Promise<void> {
  mkdirSync(copies, { recursive: true });
  for (const file of record.files) {
    if (file.digest === null) continue;
    const bytes = readOrNull(file.path);
    if (bytes !== null && digestOf(bytes) === file.digest) await writeFileDurable(join(copies, file.digest.slice('sha256:'.length)), bytes);
  }
}

/** A run's trusted git configuration on disk: the record, the trusted copies and the quarantine of changed versions. */
export interface OpenedGitTrust {
  readonly guard: GitTrustGuard;
  readonly overrides: readonly string[];
  /** Puts every changed file back; returns the changes (empty when nothing changed). */
  restore(): Promise<GitTrustChange[]>;
}

/** The run's record of its trusted git configuration, in the run folder. */
export const GIT_TRUST_FILE = 'git-trust.json';

/**
 * The run's trusted git configuration: read from `<runDir>/git-trust.json`, or
 * captured now when the run has none yet (a driver opens a run before any of
 * its workers runs, so the first capture sees the user's own configuration).
 */
export async function openGitTrust(o: {
  readonly runDir: string;
  readonly commonDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `git config --list --show-origin --name-only -z` in the repository, asked only when capturing. */
  readonly configList: () => Promise<string>;
  /** The folder git ran in for configList (relative origins are relative to it). */
  readonly originBase: string;
}): Promise<OpenedGitTrust> {
  const file = join(o.runDir, GIT_TRUST_FILE);
  const copies = join(o.runDir, 'git-trust', 'trusted');
  const quarantine = join(o.runDir, 'git-trust', 'changed');
  const text = readOrNull(file);
  let record: GitTrustRecord;
  if (text === null) {
    record = captureGitTrust(o.commonDir, o.env, await o.configList(), o.originBase);
    await keepTrustedCopies(record, copies);
    await writeFileDurable(file, `${JSON.stringify(record, null, 2)}\n`);
  } else {
    record = readGitTrustRecord(file, text);
  }
  const guard = new GitTrustGuard(record);
  return { guard, overrides: driverOverrides(record.drivers), restore: () => guard.restore(copies, quarantine) };
}
