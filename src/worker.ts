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
import { QUEUE_ROLES, type QueueName } from './queues';

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

function activitiesFor(opts: WorkerOptions) {
  return createActivities({
    store: createArtifactStore(opts.store),
    cache: new FileRequestCache(opts.cacheDir),
    env: opts.env ?? process.env,
    jobsDir: opts.jobsDir,
  });
}

/** One worker on `taskQueue` with the workflows and every activity. */
export async function createWorker(opts: WorkerOptions, activities = activitiesFor(opts)): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 16,
    ...HEARTBEAT_THROTTLE,
  });
}

/** Progress heartbeats reach the server every few seconds, so live counts (`rloop watch`) stay fresh. */
const HEARTBEAT_THROTTLE = {
  defaultHeartbeatThrottleInterval: '5 seconds',
  maxHeartbeatThrottleInterval: '5 seconds',
} as const;

export interface WorkerSetOptions extends WorkerOptions {
  /** Whether the config sends roles to their own queues (`temporal.roleQueues`). */
  roleQueues: boolean;
  /** Which queues this process serves; default all. */
  queues?: QueueName[];
  /** Activity slots per queue (model calls are further bounded per endpoint by the limiter). */
  concurrency?: Partial<Record<QueueName, number>>;
}

export interface WorkerSet {
  queues: string[];
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * The workers of one process: "main" (workflows and bookkeeping activities on `taskQueue`) and, with role
 * queues, an activity-only worker per served role on `<taskQueue>-<role>`. They share one set of activities,
 * so the per-endpoint limiter and request cache are shared too.
 */
export async function createWorkerSet(opts: WorkerSetOptions): Promise<WorkerSet> {
  const queues = opts.queues ?? ['main', ...QUEUE_ROLES];
  const activities = activitiesFor(opts);
  const workers: Worker[] = [];
  if (queues.includes('main') || !opts.roleQueues) {
    workers.push(
      await createWorker({ ...opts, maxConcurrentActivityTaskExecutions: opts.concurrency?.main }, activities),
    );
  }
  if (opts.roleQueues) {
    for (const role of QUEUE_ROLES.filter((r) => queues.includes(r))) {
      workers.push(
        await Worker.create({
          connection: opts.connection,
          namespace: opts.namespace ?? 'default',
          taskQueue: `${opts.taskQueue}-${role}`,
          activities,
          maxConcurrentActivityTaskExecutions: opts.concurrency?.[role] ?? 16,
          ...HEARTBEAT_THROTTLE,
        }),
      );
    }
  }
  return {
    queues: workers.map((w) => w.options.taskQueue),
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown: () => workers.forEach((w) => w.shutdown()),
  };
}

/** The artifact store a config names. */
export function storeConfig(storage: Pick<StorageConfig, 'kind' | 'root' | 's3'> | undefined): ArtifactStoreConfig {
  if (storage?.kind === 's3' && storage.s3) return { kind: 's3', ...storage.s3 };
  return { kind: 'fs', root: storage?.root ?? '.rloop/artifacts' };
}
