import { existsSync } from 'node:fs';
import { loadConfigOrExit } from './configArg';
import { startDevServer } from '../temporal/devServer';
import { createWorker, storeConfig } from '../worker';

export async function dev(opts: { config: string; db: string; port: string; uiPort: string }) {
  const config = existsSync(opts.config) ? await loadConfigOrExit(opts.config) : null;
  const server = await startDevServer({ port: Number(opts.port), uiPort: Number(opts.uiPort), dbFile: opts.db });
  const taskQueue = config?.temporal.taskQueue ?? 'rloop';
  const worker = await createWorker({
    connection: server.env.nativeConnection,
    taskQueue,
    store: storeConfig(config?.storage),
    cacheDir: config?.storage.cacheDir ?? '.rloop/cache',
    jobsDir: config?.storage.jobsDir ?? '.rloop/jobs',
  });
  process.stderr.write(
    `Temporal dev server at ${server.address} (DB ${opts.db}); Web UI ${server.uiUrl}\n` +
      `worker on task queue "${taskQueue}". Ctrl-C to stop.\n`,
  );
  const shutdown = () => worker.shutdown();
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await worker.run();
  await server.stop();
}
