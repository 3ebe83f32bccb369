import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        // Pure code, the simulator over HTTP, the LLM layer: no Temporal server needed.
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        // One real Temporal dev server for the whole run (global setup); files run one after another
        // in forked processes so workers and the server share the 2-core machine calmly.
        extends: true,
        test: {
          name: 'temporal',
          include: ['tests/workflow/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/globalSetup.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 180_000,
        },
      },
    ],
  },
});
