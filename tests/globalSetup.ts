// One real Temporal dev server (the official CLI, found or installed by scripts/setup.mjs) for the whole test
// run, and the workflow bundle built once; test files get both through `inject`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../src/temporal/devServer';
import { temporalCliPath } from '../src/temporal/cliPath';
import { bundleWorkflows } from '../src/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    temporalCliPath: string | null;
  }
}

export default async function setup(project: TestProject) {
  const server = await startDevServer({});
  const dir = mkdtempSync(join(tmpdir(), 'rloop-bundle-'));
  const bundlePath = join(dir, 'workflows.js');
  writeFileSync(bundlePath, (await bundleWorkflows()).code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('temporalCliPath', temporalCliPath());
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
