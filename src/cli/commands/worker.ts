// `buran worker`: the definition; its code is in ../actions/worker.ts.
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';

export function registerWorker(program: Command, io: Io): void {
  program
    .command('worker')
    .description("Run a worker agent: take attempt jobs from the queue (BullMQ on Redis), run each in a worktree of the run's git remote under buran's supervisor and sandbox, push its commit to refs/buran/attempts/<attemptId> and return the completion. Ctrl-C or SIGTERM drains (no new jobs, running ones finish); a second signal kills them.")
    .requiredOption('--queue <redis-url>', 'the Redis the runner queues attempts on, e.g. redis://10.0.0.5:6379 (refused unless appendonly yes, appendfsync always, maxmemory-policy noeviction)')
    .requiredOption('--dir <folder>', "this agent's folder: clones of run remotes, worktrees and attempt records (one agent per folder)")
    .option('--concurrency <n>', 'attempts run at once', '1')
    .option('--name <id>', 'the name recorded with every attempt this agent runs (default: <hostname>-<pid>)')
    .option('--lock-ms <ms>', "how long a job's lock lasts without renewal; a stopped or cut-off agent loses its jobs after it", '10000')
    .option('--stalled-interval-ms <ms>', 'how often agents fail jobs whose holder stopped renewing', '5000')
    .option('--writable <folder>', "a further folder on this machine that confined workers and setup may write (a shared package cache, say); repeat for more; never inside --dir (the runner's sandbox.writable folders are its own machine's and are not used here)", (folder: string, previous: string[]) => [...previous, folder], [] as string[])
    .addHelpText('after', '\nExamples:\n  buran worker --queue redis://10.0.0.5:6379 --dir ~/buran-agent\n  buran worker --queue redis://localhost:6379 --dir /srv/buran --concurrency 3 --name box-7 --writable /srv/npm-cache')
    .action(lazyAction(io, async () => (await import('../actions/worker.js')).workerAction));
}
