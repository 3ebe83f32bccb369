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
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

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
