// One real Temporal dev server (the official CLI, found or installed by scripts/setup.mjs) for the whole test
// run, and the workflow bundle built once (the workers' own cache, so `rloop worker` processes reuse it too); test
// files get both through `inject`.
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../src/temporal/devServer';
import { temporalCliPath } from '../src/temporal/cliPath';
import { cachedWorkflowBundle } from '../src/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    temporalCliPath: string | null;
  }
}

export default async function setup(project: TestProject) {
  const server = await startDevServer({});
  const bundle = await cachedWorkflowBundle();
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundle.codePath);
  project.provide('temporalCliPath', temporalCliPath());
  return async () => {
    await server.stop();
  };
}
