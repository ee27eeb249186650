// `npm run build`, second step: the CLI as a few ES modules (dist/cli/), so a
// command loads a handful of files instead of some 400 (module resolution and
// translation were most of a cold `buran status`). The compiled modules in
// dist/src stay what the library exports; bin/buran.js runs dist/cli/main.js.
// The supervisor is an entry of its own: workers' supervisors start from
// dist/cli/supervisor-main.js, beside the chunk that names it.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const OUT = 'dist/cli';

await rm(OUT, { recursive: true, force: true });
await build({
  entryPoints: { main: 'dist/src/cli/main.js', 'supervisor-main': 'dist/src/worker/supervisor-main.js' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  legalComments: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // BullMQ loads its Lua scripts from files beside its own modules: it (and its Redis client) stay in node_modules.
  external: ['bullmq', 'ioredis'],
  // Bundled CommonJS dependencies call require() for Node's builtins; ES modules have none of their own.
  banner: { js: "import { createRequire as __buranRequire } from 'node:module'; const require = __buranRequire(import.meta.url);" },
});
