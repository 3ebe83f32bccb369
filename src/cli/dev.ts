// `rloop dev`: a local Temporal dev server (persistent DB, Web UI) and a worker in one process, with the same
// observability flags as `rloop worker` (--metrics is installed by main.ts's preAction hook).
import { existsSync } from 'node:fs';
import { loadConfigOrExit } from './configArg';
import { tracesFlag } from './workerCmd';
import { startDevServer } from '../temporal/devServer';
import { createWorkerSet, storeConfig } from '../worker';
import { startTracing, tracingWorkerOptions } from '../observability/tracing';

export async function dev(opts: {
  config: string;
  db: string;
  port: string;
  uiPort: string;
  metrics?: string;
  traces?: string;
}) {
  // Flags first: a bad one exits 2 before anything starts.
  const tracesUrl = tracesFlag(opts.traces, 'dev');
  const config = existsSync(opts.config) ? await loadConfigOrExit(opts.config) : null;
  const server = await startDevServer({ port: Number(opts.port), uiPort: Number(opts.uiPort), dbFile: opts.db });
  const taskQueue = config?.temporal.taskQueue ?? 'rloop';
  const tracing = tracesUrl ? await startTracing({ url: tracesUrl }) : null;
  const workers = await createWorkerSet({
    tracing: tracing ? await tracingWorkerOptions(tracing) : undefined,
    connection: server.env.nativeConnection,
    taskQueue,
    roleQueues: config?.temporal.roleQueues ?? false,
    store: storeConfig(config?.storage),
    cacheDir: config?.storage.cacheDir ?? '.rloop/cache',
    jobsDir: config?.storage.jobsDir ?? '.rloop/jobs',
  });
  process.stderr.write(
    `Temporal dev server at ${server.address} (DB ${opts.db}); Web UI ${server.uiUrl}\n` +
      `worker on task queues ${workers.queues.join(', ')}. Ctrl-C to stop.\n`,
  );
  if (opts.metrics) process.stderr.write(`metrics for Prometheus on http://${opts.metrics}/metrics\n`);
  if (tracing) process.stderr.write(`traces over OTLP/HTTP to ${tracing.url}\n`);
  const shutdown = () => workers.shutdown();
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await workers.run();
  await tracing?.shutdown();
  await server.stop();
}
