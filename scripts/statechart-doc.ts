// Writes docs/statechart.md from the chart configurations (npm run docs:statechart).
import { mkdir, writeFile } from 'node:fs/promises';
import { runChart } from '../machines/run.machine.js';
import { taskChart } from '../machines/task.machine.js';
import { renderStatechartMarkdown } from '../src/export/statechartMarkdown.js';

const file = new URL('../docs/statechart.md', import.meta.url);
await mkdir(new URL('./', file), { recursive: true });
await writeFile(
  file,
  renderStatechartMarkdown([
    { name: 'run', machine: runChart },
    { name: 'task', machine: taskChart },
  ]),
  'utf8',
);
console.log('wrote docs/statechart.md');
