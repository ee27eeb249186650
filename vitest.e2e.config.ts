import { configDefaults, defineConfig } from 'vitest/config';

// The long end-to-end families (npm run test:e2e): whole runs through the real CLI or
// engine with real git, workers and gates, one file per family (adapters, blockers,
// the git guard, clean-checkout verification, moved handoffs, pull requests, reviewer
// quorums), and the real agent CLIs driven against a stand-in API. They are
// kept out of `npm test` to hold it under six minutes on two cores; CI runs both.
export default defineConfig({
  test: {
    include: ['test/**/*.e2e.test.ts', 'test/agents-real/**/*.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // dist/ is built once for every file that runs the real CLI (test/support/buildOnce.ts).
    globalSetup: ['test/support/buildOnce.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
