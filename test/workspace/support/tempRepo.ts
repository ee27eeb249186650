import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '../../../src/workspace/git.js';

/** A temp directory removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), `buran-${prefix}-`)));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs git and fails the test on a non-zero exit; returns stdout. */
export async function gitOk(cwd: string, args: readonly string[]): Promise<string> {
  const result = await git(cwd, args);
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr}`);
  return result.stdout;
}

export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** Writes the files and commits them in `dir`; returns the new commit. */
export async function commitFiles(dir: string, files: Readonly<Record<string, string>>, message: string): Promise<string> {
  await writeFiles(dir, files);
  await gitOk(dir, ['add', '--all']);
  await gitOk(dir, ['commit', '--no-verify', '-m', message]);
  return gitOk(dir, ['rev-parse', 'HEAD']);
}

/** A fresh repository on `main` with one commit of `files`. */
export async function initRepo(dir: string, files: Readonly<Record<string, string>>): Promise<string> {
  await mkdir(dir, { recursive: true });
  await gitOk(dir, ['init', '-q', '-b', 'main']);
  return commitFiles(dir, files, 'initial');
}
