import { defineConfig } from 'vitest/config';

// The chaos harness (npm run test:chaos; CHAOS_PROFILE=ci for the short CI
// subset): real CLI subprocesses, SIGKILLs and fault injection. Files run one
// at a time: they time processes and measure memory.
export default defineConfig({
  test: {
    include: ['test/chaos/*.test.ts'],
    globalSetup: ['test/chaos/support/globalSetup.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
