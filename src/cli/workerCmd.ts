import { existsSync } from 'node:fs';
import v8 from 'node:v8';
import { loadConfigOrExit } from './configArg';
import { connectWorker, resolveConnection } from '../temporal/connection';
import { QUEUE_ROLES, type QueueName } from '../queues';
import { createWorkerSet, storeConfig, type ActivitySlots } from '../worker';
import { startTracing, tracesEndpoint, tracingWorkerOptions } from '../observability/tracing';

const QUEUE_NAMES: readonly QueueName[] = ['main', ...QUEUE_ROLES];

function usage(message: string, command = 'worker'): never {
  process.stderr.write(`rloop ${command}: ${message}\n`);
  process.exit(2);
}

/** `--traces <url>` (else OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT): the OTLP/HTTP endpoint, or null; a bad one exits 2. */
export function tracesFlag(flag: string | undefined, command: string): string | null {
  try {
    return tracesEndpoint(flag);
  } catch (err) {
    usage((err as Error).message, command);
  }
}

/** `--queues judge,solve` → the queues this process serves. */
export function parseQueues(text: string | undefined): QueueName[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(',')
    .map((q) => q.trim())
    .filter(Boolean);
  const bad = names.filter((q) => !QUEUE_NAMES.includes(q as QueueName));
  if (bad.length || names.length === 0)
    usage(`--queues: unknown queue ${bad.join(', ') || '(none)'} (known: ${QUEUE_NAMES.join(', ')})`);
  return names as QueueName[];
}

/** `--concurrency judge=4,solve=8` → activity slots per queue. */
export function parseConcurrency(text: string | undefined): Partial<Record<QueueName, number>> {
  const out: Partial<Record<QueueName, number>> = {};
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    const n = Number(value);
    if (!QUEUE_NAMES.includes(name as QueueName) || !Number.isInteger(n) || n < 1) {
      usage(`--concurrency: "${part}" must be <queue>=<positive integer> with a queue of ${QUEUE_NAMES.join(', ')}`);
    }
    out[name as QueueName] = n;
  }
  return out;
}

/**
 * Bound how far V8 grows the heap past its live data. A busy worker allocates fast (every model call is a request,
 * a response and their JSON), and by default V8 then sizes the old generation at several times the live set: RSS
 * reached ~0.9-1 GB at Q ≥ 256 while the live data stayed ~150 MB. At 30 % the same iterations peak near 0.5 GB for a
 * few % more GC time (BENCHMARKS.md). The flag is read at every full GC, so setting it at start takes effect.
 */
export function parseHeapGrowth(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 1000)
    usage(`--heap-growth: "${text}" must be a whole percent from 0 (V8's default) to 1000`);
  return n;
}

export async function workerCmd(opts: {
  config: string;
  address?: string;
  namespace?: string;
  taskQueue?: string;
  queues?: string;
  concurrency?: string;
  /** Always set: the option's default ('fixed') is in main.ts. */
  activitySlots: string;
  /** Always set: the option's default (30) is in main.ts. */
  heapGrowth: string;
  /** host:port of the Prometheus endpoint; main.ts installed the runtime with it. */
  metrics?: string;
  /** OTLP/HTTP endpoint for traces (else OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, else none). */
  traces?: string;
}) {
  const queues = parseQueues(opts.queues);
  const heapGrowth = parseHeapGrowth(opts.heapGrowth);
  if (heapGrowth > 0) v8.setFlagsFromString(`--heap-growing-percent=${heapGrowth}`);
  const concurrency = parseConcurrency(opts.concurrency);
  if (opts.activitySlots !== 'endpoints' && opts.activitySlots !== 'fixed')
    usage(`--activity-slots: "${opts.activitySlots}" must be fixed or endpoints`);
  const activitySlots: ActivitySlots = opts.activitySlots;
  const tracesUrl = tracesFlag(opts.traces, 'worker');
  // A worker needs no config file: endpoints ride in each workflow's input. If one is there, it sets the
  // task queue (and whether roles have their own), storage folders and connection defaults.
  const config = existsSync(opts.config) ? await loadConfigOrExit(opts.config) : null;
  const conn = resolveConnection(opts, config?.temporal);
  const taskQueue = opts.taskQueue ?? config?.temporal.taskQueue ?? 'rloop';
  const tracing = tracesUrl ? await startTracing({ url: tracesUrl }) : null;
  const workers = await createWorkerSet({
    tracing: tracing ? await tracingWorkerOptions(tracing) : undefined,
    connection: await connectWorker(conn),
    namespace: conn.namespace,
    taskQueue,
    roleQueues: config?.temporal.roleQueues ?? false,
    queues,
    concurrency,
    activitySlots,
    store: storeConfig(config?.storage),
    cacheDir: config?.storage.cacheDir ?? '.rloop/cache',
    jobsDir: config?.storage.jobsDir ?? '.rloop/jobs',
  });
  if (workers.bundle)
    process.stderr.write(`workflow bundle ${workers.bundle.built ? 'built' : 'reused'}: ${workers.bundle.codePath}\n`);
  process.stderr.write(
    `worker on ${conn.options.address} namespace ${conn.namespace} task queues ${workers.queues.join(', ')}; Ctrl-C to stop\n`,
  );
  if (opts.metrics) process.stderr.write(`metrics for Prometheus on http://${opts.metrics}/metrics\n`);
  if (tracing) process.stderr.write(`traces over OTLP/HTTP to ${tracing.url}\n`);
  process.once('SIGINT', () => workers.shutdown());
  process.once('SIGTERM', () => workers.shutdown());
  await workers.run();
  // Spans still buffered go out before the process ends.
  await tracing?.shutdown();
}
