// The rloop worker: registers the workflows and the activities on a task queue. Activities are built from
// real dependencies (artifact store, request cache, the process environment for API keys).
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkflowBundle,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { createActivities } from './activities';
import { FileRequestCache } from './llm';
import { createArtifactStore, type ArtifactStoreConfig } from './store';
import type { StorageConfig } from './config';

export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** Bundle the workflow code once (a few seconds) and reuse it for every worker of the process. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

export interface WorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  /** Where artifacts live; every worker of a deployment must see the same store. */
  store: ArtifactStoreConfig;
  cacheDir: string;
  /** Local folder for trainer job outputs (command backend). */
  jobsDir?: string;
  env?: NodeJS.ProcessEnv;
  workflowBundle?: WorkflowBundleOption;
  maxConcurrentActivityTaskExecutions?: number;
}

export async function createWorker(opts: WorkerOptions): Promise<Worker> {
  const activities = createActivities({
    store: createArtifactStore(opts.store),
    cache: new FileRequestCache(opts.cacheDir),
    env: opts.env ?? process.env,
    jobsDir: opts.jobsDir,
  });
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 16,
  });
}

/** The artifact store a config names. */
export function storeConfig(storage: Pick<StorageConfig, 'kind' | 'root' | 's3'> | undefined): ArtifactStoreConfig {
  if (storage?.kind === 's3' && storage.s3) return { kind: 's3', ...storage.s3 };
  return { kind: 'fs', root: storage?.root ?? '.rloop/artifacts' };
}
