import { defineConfig } from 'vitest/config';

// The `real` project (tests/real: the real model host, minutes per test on CPU) exists only when asked for by name,
// so a plain `vitest run` (npm test) never starts it.
const wantsReal = process.argv.some(
  (a, i) => a === '--project=real' || (a === '--project' && process.argv[i + 1] === 'real'),
);

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
      ...(wantsReal
        ? [
            {
              // The real model host (llama.cpp on CPU): only with `vitest run --project real` (npm run test:real).
              extends: true as const,
              test: {
                name: 'real',
                include: ['tests/real/**/*.test.ts'],
                globalSetup: ['tests/globalSetup.ts'],
                pool: 'forks' as const,
                fileParallelism: false,
                testTimeout: 3_600_000,
              },
            },
          ]
        : []),
    ],
  },
});
