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
        // Workflow branches against Temporal's time-skipping test server (one per file, started by the SDK from
        // the launcher scripts/setup.mjs installs) with stubbed activities: no dev server, timers skip ahead.
        extends: true,
        test: { name: 'timeskip', include: ['tests/timeskip/**/*.test.ts'], pool: 'forks', fileParallelism: false },
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
      {
        // `npm run test:real` only (not `npm test`): the real model on CPU (the local model host, trainers, llama.cpp's
        // converter) after scripts/setup-real.mjs. Slow by nature: minutes per file, one file at a time.
        extends: true,
        test: {
          name: 'real',
          include: ['tests/real/**/*.test.ts'],
          globalSetup: ['tests/globalSetup.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
