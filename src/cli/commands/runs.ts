// The run commands: init, approve, run, status, report, events. Definitions
// only; their code is in ../actions/ (run in actions/run.ts), imported when the command runs.
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { lazyAction } from '../lazyAction.js';
import { runIdOption } from '../options.js';

export function registerRunCommands(program: Command, io: Io): void {
  program
    .command('init')
    .description('Create .buran/ (store and config.json with the documented defaults) in this git repository. Idempotent.')
    .option('--json', 'print {"storeDir": "...", "config": "..."}')
    .addHelpText('after', '\nExample:\n  cd my-repo && buran init')
    .action(lazyAction(io, async () => (await import('../actions/runs.js')).initAction));

  program
    .command('approve')
    .description('Validate a packet, record its approval (content hash, who, when) and create a run.')
    .argument('<packet>', 'packet file (.json, .yaml or .yml)')
    .option('--by <name>', 'who approves (default: $USER)')
    .option('--json', 'print {"runId": "..."}')
    .addHelpText('after', '\nExample:\n  buran approve packet.yaml --by ana')
    .action(lazyAction(io, async () => (await import('../actions/runs.js')).approveAction));

  program
    .command('run')
    .description('Drive a run until it is handoff-ready, blocked or paused (or one transition with --step).')
    .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
    .option('--step', 'drive one transition, then stop')
    .option('--json', 'print events as NDJSON')
    .addHelpText('after', '\nExamples:\n  buran run --run add-greeting-xyz\n  buran run --run add-greeting-xyz --json | jq .to')
    .action(lazyAction(io, async () => (await import('../actions/run.js')).runAction));

  program
    .command('status')
    .description('Without --run: one line per run. With --run: stage, current task, blocker, next safe action, tasks.')
    .option('--run <id>', 'run id', runIdOption)
    .option('--json', 'print the status JSON (schema: buran schema status)')
    .option('--exit-status', "with --run: exit by the run's state (0 handoff-ready, 3 blocked or failed, 4 otherwise) instead of 0")
    .addHelpText('after', '\nExamples:\n  buran status\n  buran status --run add-greeting-xyz --json\n  buran status --run add-greeting-xyz --exit-status || echo "not handed off"')
    .action(lazyAction(io, async () => (await import('../actions/status.js')).statusAction));

  program
    .command('report')
    .description('The handoff / progress report of a run.')
    .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
    .option('--format <format>', 'md or json', 'md')
    .option('--json', 'the report as JSON (same as --format json)')
    .addHelpText('after', '\nExample:\n  buran report --run add-greeting-xyz --json')
    .action(lazyAction(io, async () => (await import('../actions/runs.js')).reportAction));

  program
    .command('events')
    .description("A run's event log.")
    .option('--run <id>', 'run id (default: the most recent run)', runIdOption)
    .option('--json', 'NDJSON')
    .option('--follow', 'keep printing new events until the run ends (handoff-ready, cancelled or failed); Ctrl-C to stop sooner')
    .addHelpText('after', '\nExamples:\n  buran events --run add-greeting-xyz --json\n  buran events --run add-greeting-xyz --follow')
    .action(lazyAction(io, async () => (await import('../actions/runs.js')).eventsAction));
}
