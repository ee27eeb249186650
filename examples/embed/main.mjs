#!/usr/bin/env node
// Embedding buran in a Node app: the runner with its own in-memory store, a
// custom worker adapter (`file-editor`, a script that edits a file), a
// subscription to every transition, and a two-task packet driven to a
// review-ready handoff on a throwaway git repository.
//
// Run it after `npm run build` from the buran checkout: `node examples/embed/main.mjs`.
// `buran` resolves to this checkout through the package's self-reference; in
// your own app it is `npm install buran`.
import { execFileSync } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_CONFIG,
  approvePacket,
  buildWorkerEnv,
  createAdapterRegistry,
  createLocalEffects,
  createMemoryLocks,
  createMemoryStore,
  createRunner,
  defaultDeriveOutcome,
  systemClock,
} from 'buran';

const WORKER = fileURLToPath(new URL('./editor-worker.mjs', import.meta.url));

/** A worker adapter of our own: packets choose it with `worker: { adapter: 'file-editor' }`. */
const fileEditor = {
  name: 'file-editor',
  async check() {
    try {
      await access(WORKER);
      return { available: true };
    } catch {
      return { available: false, message: `worker script ${WORKER} is missing`, details: { worker: WORKER } };
    }
  },
  // argv (no shell), the BURAN_* environment, and the task's own worktree.
  buildInvocation: (ctx) => ({ argv: [process.execPath, WORKER, ...(ctx.worker.args ?? [])], env: buildWorkerEnv(ctx, 'file-editor'), cwd: ctx.workspace }),
  // The completion file decides; without one the attempt is `missing`.
  deriveOutcome: defaultDeriveOutcome,
};

function git(cwd, ...args) {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'embed', GIT_AUTHOR_EMAIL: 'embed@localhost', GIT_COMMITTER_NAME: 'embed', GIT_COMMITTER_EMAIL: 'embed@localhost' };
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}

const work = await mkdtemp(join(tmpdir(), 'buran-embed-'));
try {
  // 1. A repository for the work (buran leases git worktrees of it; your checkout is never touched).
  const repo = join(work, 'repo');
  git(work, 'init', '-q', '-b', 'main', repo);
  await writeFile(join(repo, 'README.md'), '# embedded example\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'start');

  // 2. The packet: two tasks (goodbye after hello), each verified by a command.
  const check = (file) => [process.execPath, '-e', `process.exit(require('node:fs').existsSync(${JSON.stringify(file)}) ? 0 : 1)`];
  const packetFile = join(work, 'packet.json');
  await writeFile(
    packetFile,
    JSON.stringify({
      schema: 'buran.packet/v1',
      id: 'embedded-edit',
      title: 'Write two files through a custom adapter',
      goal: 'Show an app embedding the buran runner.',
      tasks: [
        { id: 'hello', title: 'Write hello.txt', instructions: 'Write hello.txt.', scope: ['hello.txt'], acceptance: ['hello.txt exists'] },
        { id: 'goodbye', title: 'Write goodbye.txt', instructions: 'Write goodbye.txt.', scope: ['goodbye.txt'], acceptance: ['goodbye.txt exists'], dependsOn: ['hello'] },
      ],
      verify: [check('hello.txt')],
      worker: { adapter: 'file-editor', args: ['written by an embedded buran'] },
      limits: { maxAttempts: 1, maxFixRounds: 0, taskTimeoutSec: 60, heartbeatTimeoutSec: 30 },
    }),
  );

  // 3. The runner: our own in-memory store, in-process locks, real effects with our adapter.
  const store = createMemoryStore({ runDirRoot: join(work, 'runs') });
  const records = new Map();
  const runner = createRunner({
    store,
    locks: createMemoryLocks(),
    clock: systemClock,
    // The subscription: every recorded transition, after it is durably appended.
    onEvent: (event) => {
      // `transition` for the run, `task_transition` for a task's child actor; other types are notes (takeovers, rejected commands).
      if (event.type !== 'transition' && event.type !== 'task_transition') return;
      const who = event.taskId === undefined ? 'run' : `task ${event.taskId}`;
      console.log(`#${event.seq} ${who}: ${event.from || '(spawned)'} -> ${event.to} on ${event.data.event}`);
    },
    // `run.current` is the run as the runner holds it now: the handoff report is built from it.
    effectsFor: (runId, run) =>
      createLocalEffects({
        repoRoot: repo,
        storeDir: join(work, 'state'),
        store,
        record: records.get(runId),
        config: DEFAULT_CONFIG,
        env: process.env,
        clock: systemClock,
        registry: createAdapterRegistry([fileEditor]),
        current: run.current,
      }),
  });

  // 4. Approve (records the content hash) and drive to the end.
  const { runId, record } = await approvePacket({ packetFile, by: 'embed-example', store, runner, clock: systemClock });
  records.set(runId, record);
  const result = await runner.drive(runId);

  console.log(`final: ${result.status} ${result.stage}`);
  if (result.status === 'handoff_ready') {
    const branch = result.snapshot.context.handoff?.branch;
    console.log(`branch: ${branch}`);
    console.log(`hello.txt on the branch: ${git(repo, 'show', `${branch}:hello.txt`).trim()}`);
  } else {
    console.log(`blocker: ${JSON.stringify(result.blocker)}`);
    process.exitCode = 3;
  }
} finally {
  if (process.env.KEEP_EMBED_EXAMPLE === undefined) await rm(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
