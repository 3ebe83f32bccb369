import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One real Temporal dev server for the whole run, started once.
    globalSetup: ['tests/globalSetup.ts'],
    pool: 'forks',
    // Temporal tests share one server; files run one after another to keep the 2-core machine calm.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
