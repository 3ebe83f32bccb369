// The rloop worker: registers the workflows and the activities on a task queue. Activities are built from
// real dependencies (artifact store, request cache, the process environment for API keys).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkflowBundle,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { allActivities, createActivities, type ActivityGroups } from './activities';
import { FileRequestCache, modelCallBacklog } from './llm';
import { createArtifactStore, type ArtifactStoreConfig } from './store';
import { storeIdentity } from './store/identity';
import type { StorageConfig } from './config';
import { QUEUE_ROLES, type QueueName } from './queues';
import { projectRoot } from './paths';
import { endpointAwareTuner } from './workerSlots';
import { collectReportData, renderReportHtml } from './report';
import { WORKFLOW_TRACING_MODULE, type TracingWorkerOptions } from './observability/tracing';

export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** Bundle the workflow code once (a few seconds) and reuse it for every worker of the process. */
export function bundleWorkflows(interceptorModules: string[] = []): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: interceptorModules,
    logger: quietBundlerLogger,
  });
}

/** What the workflow bundle is built from: the sources, the locked dependencies, the compiler settings. */
export const BUNDLE_INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json'].map((p) =>
  join(projectRoot, p),
);

/** sha256 over the paths (relative to the project root) and contents of every file under `inputs`, in sorted order. */
export function bundleInputsHash(inputs: readonly string[] = BUNDLE_INPUTS): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    let entries: string[] | null = null;
    try {
      entries = readdirSync(path).sort();
    } catch {
      hash
        .update(`${relative(projectRoot, path)}\0`)
        .update(readFileSync(path))
        .update('\0');
    }
    for (const e of entries ?? []) visit(join(path, e));
  };
  for (const input of inputs) visit(input);
  return hash.digest('hex');
}

export interface CachedBundle {
  codePath: string;
  /** Whether this call ran the bundler (false: an earlier start's bundle of the same inputs was reused). */
  built: boolean;
}

/**
 * The workflow bundle of this source tree, built once and kept under `dir` by the hash of its inputs, so a worker
 * start reuses it instead of running webpack again (~2.5 s and ~60 MB of worker RSS). Any change to the inputs makes
 * a new one. Written atomically (tmp + rename): workers starting together may both build, neither reads a partial file.
 */
export async function cachedWorkflowBundle(
  opts: {
    dir?: string;
    inputs?: readonly string[];
    build?: () => Promise<{ code: string }>;
    /** A bundle of the same code with something added (e.g. 'otel': tracing interceptors), kept beside the plain one. */
    variant?: string;
  } = {},
): Promise<CachedBundle> {
  const dir = opts.dir ?? join(projectRoot, 'node_modules', '.cache', 'rloop', 'workflow-bundles');
  const name = `${bundleInputsHash(opts.inputs).slice(0, 32)}${opts.variant ? `-${opts.variant}` : ''}.js`;
  const codePath = join(dir, name);
  if (existsSync(codePath)) return { codePath, built: false };
  const { code } = await (opts.build ?? bundleWorkflows)();
  const write = (path: string) => {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, path);
    return { codePath: path, built: true };
  };
  try {
    return write(codePath);
  } catch {
    // A read-only install: keep this start's bundle in the temp folder instead.
    return write(join(tmpdir(), 'rloop-workflow-bundles', basename(codePath)));
  }
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
  /**
   * How the worker takes activities: 'fixed' (default) up to maxConcurrentActivityTaskExecutions at once;
   * 'endpoints' another only when it runs none or less than one round of its model calls waits for an endpoint slot
   * (`src/workerSlots.ts`), so that several workers on a queue share the work instead of one holding most of it.
   */
  activitySlots?: ActivitySlots;
  /** Tracing on: activity interceptors and the workflow-span sink (the bundle must carry the workflow interceptors). */
  tracing?: TracingWorkerOptions;
}

export type ActivitySlots = 'endpoints' | 'fixed';

/** Activity slot options for a worker with model-calling activities (`models`) or without (bookkeeping only). */
function activitySlotOptions(max: number, slots: ActivitySlots | undefined, models: boolean) {
  return models && slots === 'endpoints'
    ? endpointAwareTuner(max, modelCallBacklog)
    : { maxConcurrentActivityTaskExecutions: max };
}

const tracingOptions = (t: TracingWorkerOptions | undefined) =>
  t ? { interceptors: { activity: t.activityInterceptors }, sinks: t.sinks } : {};

function activitiesFor(opts: WorkerOptions) {
  return createActivities({
    store: createArtifactStore(opts.store),
    cache: new FileRequestCache(opts.cacheDir),
    env: opts.env ?? process.env,
    jobsDir: opts.jobsDir,
    storeIdentity: storeIdentity(opts.store),
    renderReport: async (snapshot, store, now) => renderReportHtml(await collectReportData(snapshot, store, now)),
  });
}

/**
 * One worker on `taskQueue` with the workflows and, by default, every activity group (one queue for everything);
 * a worker set with role queues passes only the `store` group here.
 */
export async function createWorker(
  opts: WorkerOptions,
  activities: object = allActivities(activitiesFor(opts)),
  /** Whether these activities call model endpoints (false: the store group of a worker set with role queues). */
  models = true,
): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities,
    workflowBundle: opts.workflowBundle ?? { codePath: (await cachedWorkflowBundle()).codePath },
    ...activitySlotOptions(opts.maxConcurrentActivityTaskExecutions ?? 16, opts.activitySlots, models),
    ...HEARTBEAT_THROTTLE,
    ...tracingOptions(opts.tracing),
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
  /** The cached workflow bundle the main worker runs (null: the caller passed its own, or no main worker). */
  bundle: CachedBundle | null;
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * The workers of one process: "main" (workflows and bookkeeping activities on `taskQueue`) and, with role
 * queues, an activity-only worker per served role on `<taskQueue>-<role>` with that role's group only. Without
 * role queues the main worker has every group. The groups come from one createActivities call, so the
 * per-endpoint limiter and request cache are shared.
 */
export async function createWorkerSet(opts: WorkerSetOptions): Promise<WorkerSet> {
  const queues = opts.queues ?? ['main', ...QUEUE_ROLES];
  const groups: ActivityGroups = activitiesFor(opts);
  const workers: Worker[] = [];
  let bundle: CachedBundle | null = null;
  if (queues.includes('main') || !opts.roleQueues) {
    if (!opts.workflowBundle)
      bundle = opts.tracing
        ? await cachedWorkflowBundle({ variant: 'otel', build: () => bundleWorkflows([WORKFLOW_TRACING_MODULE]) })
        : await cachedWorkflowBundle();
    const workflowBundle = opts.workflowBundle ?? { codePath: bundle!.codePath };
    workers.push(
      await createWorker(
        { ...opts, workflowBundle, maxConcurrentActivityTaskExecutions: opts.concurrency?.main },
        opts.roleQueues ? groups.store : allActivities(groups),
        !opts.roleQueues,
      ),
    );
  }
  if (opts.roleQueues) {
    for (const role of QUEUE_ROLES.filter((r) => queues.includes(r))) {
      workers.push(
        await Worker.create({
          connection: opts.connection,
          namespace: opts.namespace ?? 'default',
          taskQueue: `${opts.taskQueue}-${role}`,
          activities: groups[role],
          ...activitySlotOptions(opts.concurrency?.[role] ?? 16, opts.activitySlots, role !== 'train'),
          ...HEARTBEAT_THROTTLE,
          ...(opts.tracing ? { interceptors: { activity: opts.tracing.activityInterceptors } } : {}),
        }),
      );
    }
  }
  return {
    queues: workers.map((w) => w.options.taskQueue),
    bundle,
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
