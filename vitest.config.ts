import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The chaos harness runs on its own: npm run test:chaos (vitest.chaos.config.ts); test/chaos/unit/ stays here.
    // The long end-to-end families too, and the real agent CLIs against their stand-in API:
    // npm run test:e2e (vitest.e2e.config.ts).
    exclude: [...configDefaults.exclude, 'test/chaos/*.test.ts', 'test/**/*.e2e.test.ts', 'test/agents-real/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // dist/ is built once for every file that runs the real CLI (test/support/buildOnce.ts).
    globalSetup: ['test/support/buildOnce.ts'],
    pool: 'forks',
    // Most files wait on real subprocesses (git, workers, the CLI), so two at a time keep a
    // 2-core CI machine busy: about 5 minutes instead of 7 one file at a time.
    maxWorkers: 2,
  },
});
