// Per-test-file Temporal plumbing: a client and native connection to the suite's one dev server, and workers
// on their own task queues, built from the bundle made once in global setup.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createWorker } from '../../src/worker';

// Worker lifecycle logs would bury test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

export interface TestTemporal {
  address: string;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectTestTemporal(): Promise<TestTemporal> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection }),
    nativeConnection,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

let counter = 0;
export const uniqueId = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

export function tempDir(prefix = 'rloop-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function testWorker(
  t: TestTemporal,
  opts: { taskQueue: string; dir: string; env?: NodeJS.ProcessEnv },
): Promise<Worker> {
  return createWorker({
    connection: t.nativeConnection,
    taskQueue: opts.taskQueue,
    store: { kind: 'fs', root: join(opts.dir, 'artifacts') },
    cacheDir: join(opts.dir, 'cache'),
    jobsDir: join(opts.dir, 'jobs'),
    env: opts.env ?? {},
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
}
