import { existsSync } from 'node:fs';
import { loadConfigOrExit } from './configArg';
import { connectWorker, resolveConnection } from '../temporal/connection';
import { createWorker, storeConfig } from '../worker';

export async function workerCmd(opts: { config: string; address?: string; namespace?: string; taskQueue?: string }) {
  // A worker needs no config file: endpoints ride in each workflow's input. If one is there, it sets the
  // task queue, storage folders and connection defaults.
  const config = existsSync(opts.config) ? await loadConfigOrExit(opts.config) : null;
  const conn = resolveConnection(opts, config?.temporal);
  const taskQueue = opts.taskQueue ?? config?.temporal.taskQueue ?? 'rloop';
  const worker = await createWorker({
    connection: await connectWorker(conn),
    namespace: conn.namespace,
    taskQueue,
    store: storeConfig(config?.storage),
    cacheDir: config?.storage.cacheDir ?? '.rloop/cache',
    jobsDir: config?.storage.jobsDir ?? '.rloop/jobs',
  });
  process.stderr.write(
    `worker on ${conn.options.address} namespace ${conn.namespace} task queue ${taskQueue}; Ctrl-C to stop\n`,
  );
  await worker.run();
}
