// The Temporal dev server (from the official CLI) with our search attributes registered, a persistent DB file
// if asked, and the Web UI. Used by `rloop dev`, the `npm start` demo and the test suite.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../contracts/common';
import { temporalCliPath } from './cliPath';

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  dbFile?: string;
  namespace?: string;
  /** Further `temporal server start-dev` arguments (e.g. `--dynamic-config-value k=v`). */
  extraArgs?: string[];
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

/**
 * One partition per task queue instead of the server's default 4. A partition's backlog is served only to the
 * pollers that land on it; rloop's queues carry a few tasks a second for a handful of workers, and with 4 partitions
 * a ready activity was seen waiting 6 s while the workers polled the others (BENCHMARKS.md, worker scaling).
 */
const ONE_PARTITION = [
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const path = temporalCliPath();
  if (opts.dbFile) mkdirSync(dirname(opts.dbFile), { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: path ? { type: 'existing-path', path } : { type: 'cached-download' },
      ip: '127.0.0.1',
      port: opts.port,
      ui: opts.uiPort !== undefined,
      uiPort: opts.uiPort,
      dbFilename: opts.dbFile,
      namespace: opts.namespace ?? 'default',
      searchAttributes: SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      extraArgs: [...ONE_PARTITION, ...(opts.extraArgs ?? [])],
    },
  });
  const address = env.address;
  return {
    address,
    uiUrl: opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : null,
    env,
    stop: () => env.teardown(),
  };
}
