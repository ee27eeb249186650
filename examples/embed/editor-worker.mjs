#!/usr/bin/env node
// The worker behind the example's `file-editor` adapter: it writes
// `<task id>.txt` in the task's workspace with the text given on its command
// line, then writes the buran.completion/v1 file the run waits for.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const text = process.argv.slice(2).join(' ') || 'edited by the file-editor worker';
const file = `${env.BURAN_TASK_ID}.txt`;
writeFileSync(join(env.BURAN_WORKSPACE, file), `${text} (task ${env.BURAN_TASK_ID}, epoch ${env.BURAN_EPOCH})\n`);

writeFileSync(
  env.BURAN_COMPLETION_FILE,
  JSON.stringify({
    schema: 'buran.completion/v1',
    runId: env.BURAN_RUN_ID,
    taskId: env.BURAN_TASK_ID,
    attemptId: env.BURAN_ATTEMPT_ID,
    epoch: Number(env.BURAN_EPOCH),
    status: 'completed',
    summary: `wrote ${file}`,
    changedFiles: [file],
  }),
);
