#!/usr/bin/env node
// A scripted stand-in for a coding agent. It follows buran's command-adapter
// contract: read the BURAN_* variables, change files in BURAN_WORKSPACE, and
// write a buran.completion/v1 file to BURAN_COMPLETION_FILE.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const env = process.env;
const workspace = env.BURAN_WORKSPACE;
const task = env.BURAN_TASK_ID;
const epoch = Number(env.BURAN_EPOCH);

function write(relative, text) {
  const file = join(workspace, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const changed = [];
if (task === 'greeting-helper') {
  // Epoch 1 forgets the punctuation the acceptance criteria ask for; the fix round adds it.
  const body = epoch === 1 ? 'return `Hello, ${name}`;' : 'return `Hello, ${name}!`;';
  write('src/greet.js', `// The one place the greeting wording lives.\nexport function greet(name) {\n  ${body}\n}\n`);
  write(
    'test/greet.test.js',
    "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { greet } from '../src/greet.js';\n\ntest('greet says hello with an exclamation mark', () => {\n  assert.equal(greet('Ada'), 'Hello, Ada!');\n});\n",
  );
  changed.push('src/greet.js', 'test/greet.test.js');
} else if (task === 'cli-uses-greeting') {
  write('src/cli.js', "import { greet } from './greet.js';\n\n// Prints the greeting for the name given on the command line.\nexport function main(argv) {\n  return greet(argv[2] ?? 'world');\n}\n");
  write(
    'test/cli.test.js',
    "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { main } from '../src/cli.js';\n\ntest('main greets the person named', () => {\n  assert.equal(main(['node', 'cli', 'Ada']), 'Hello, Ada!');\n});\n",
  );
  changed.push('src/cli.js', 'test/cli.test.js');
}

writeFileSync(
  env.BURAN_COMPLETION_FILE,
  JSON.stringify({
    schema: 'buran.completion/v1',
    runId: env.BURAN_RUN_ID,
    taskId: task,
    attemptId: env.BURAN_ATTEMPT_ID,
    epoch,
    status: changed.length > 0 ? 'completed' : 'failed',
    summary: changed.length > 0 ? `scripted agent changed ${changed.join(', ')} (epoch ${epoch})` : `scripted agent does not know task ${task}`,
    changedFiles: changed,
  }),
);
