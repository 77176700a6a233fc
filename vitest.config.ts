import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.cache/vitest-report.json' }]],
    // Builds (first run ~90 s, then cached in .cache/ferretdb) and starts one FerretDB for the whole run,
    // unless MONGODB_TEST_URI points at a MongoDB server.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 180_000,
    teardownTimeout: 20_000,
    // The CI machine has 2 cores; forks isolate servers and sockets per test file. (Vitest 4 moved the
    // pool's worker count from poolOptions.forks.maxForks to the top-level maxWorkers.)
    pool: 'forks',
    maxWorkers: 2,
  },
});
