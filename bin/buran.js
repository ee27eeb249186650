#!/usr/bin/env node
// Entry point of the buran CLI: runs the compiled CLI from dist/ (built by `npm install` via `prepare`).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `buran --version` answers from package.json alone: no CLI, no dependencies loaded.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

// The bundled CLI (dist/cli, a few modules) when built; the compiled modules otherwise.
const bundled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(fileURLToPath(bundled)) ? bundled : new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('buran: dist/ is missing; run `npm run build` (npm install runs it) and try again\n');
  process.exit(1);
}
// A closed pipe (e.g. `buran ... | head`) is not an error of buran's.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
