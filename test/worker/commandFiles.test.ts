import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingFileArguments } from '../../src/worker/commandFiles.js';
import { fixture, tempDir } from './helpers.js';

describe('missingFileArguments', () => {
  it("reports an interpreter's missing script, absolute or relative to the repository", async () => {
    const repo = tempDir();
    expect(await missingFileArguments(['bash', '/missing.sh'], repo)).toEqual([{ index: 1, arg: '/missing.sh', path: '/missing.sh', kind: 'script' }]);
    expect(await missingFileArguments(['node', 'agent.mjs'], repo)).toMatchObject([{ index: 1, path: join(repo, 'agent.mjs'), kind: 'script' }]);
    expect(await missingFileArguments(['/usr/bin/python3', '-u', 'scripts/a.py', '--fast'], repo)).toMatchObject([{ index: 2, kind: 'script' }]);
  });

  it('accepts scripts that are there', async () => {
    const repo = tempDir();
    mkdirSync(join(repo, 'scripts'));
    writeFileSync(join(repo, 'scripts', 'agent.sh'), 'echo hi\n');
    expect(await missingFileArguments(['bash', 'scripts/agent.sh'], repo)).toEqual([]);
    expect(await missingFileArguments(['bash', './scripts/agent.sh', 'extra'], repo)).toEqual([]);
    expect(await missingFileArguments(['node', fixture('exit0.mjs')], repo)).toEqual([]);
  });

  it('does not take inline scripts, modules, flags or flag values for files', async () => {
    const repo = tempDir();
    expect(await missingFileArguments(['bash', '-c', 'echo hi > /missing/out'], repo)).toEqual([]);
    expect(await missingFileArguments(['bash', '-ec', 'echo "$0"', 'script-name'], repo)).toEqual([]);
    expect(await missingFileArguments(['node', '-e', 'process.exit(0)'], repo)).toEqual([]);
    expect(await missingFileArguments(['python3', '-m', 'agent'], repo)).toEqual([]);
    expect(await missingFileArguments(['node', '--import', 'tsx/esm', fixture('exit0.mjs')], repo)).toEqual([]);
    expect(await missingFileArguments(['my-agent', '--config=/missing/x.json', '--model', 'gpt-5', 'https://example.test/x'], repo)).toEqual([]);
  });

  it('lets a path argument name a file still to be created, but not one in a missing folder', async () => {
    const repo = tempDir();
    expect(await missingFileArguments(['my-agent', join(repo, 'out.txt')], repo)).toEqual([]);
    expect(await missingFileArguments(['my-agent', './logs/out.txt'], repo)).toMatchObject([{ index: 1, arg: './logs/out.txt', kind: 'path' }]);
    // A bare relative word is not taken for a path: it could be anything the agent reads.
    expect(await missingFileArguments(['my-agent', 'src/new.ts'], repo)).toEqual([]);
  });
});
