// Vitest global setup: build dist/ once before any test file runs. Tests that
// run the real CLI (`node bin/buran.js`) need the compiled code; building it
// once here, rather than in each file, keeps one file's build from rewriting
// dist/ while another file's CLI is loading it.
import { spawnSync } from 'node:child_process';

export default function buildOnce(): void {
  const built = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${String(built.status)}):\n${built.stdout}\n${built.stderr}`);
}
