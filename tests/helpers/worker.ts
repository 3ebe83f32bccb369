// A worker on its own task queue for one test file (with the simulator: useSimWorker), started in beforeAll and shut
// down in afterAll.
import { afterAll, beforeAll } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { startSimulator, type SimHandle, type SimOptions } from '../../src/sim';
import { connectTestTemporal, tempDir, testWorker, uniqueId, type TestTemporal } from './temporal';

export interface WorkerFixture {
  t: TestTemporal;
  taskQueue: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startWorkerFixture(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<WorkerFixture> {
  const t = await connectTestTemporal();
  const taskQueue = uniqueId(prefix);
  const dir = tempDir();
  const worker: Worker = await testWorker(t, { taskQueue, dir, env });
  const running = worker.run();
  return {
    t,
    taskQueue,
    dir,
    stop: async () => {
      worker.shutdown();
      await running;
      await t.close();
    },
  };
}

export interface SimWorker {
  /** The worker fixture (client, task queue, temp folder); set once beforeAll has run. */
  readonly w: WorkerFixture;
  /** The simulator over HTTP; set once beforeAll has run. */
  readonly sim: SimHandle;
}

/**
 * The simulator and a worker on its own task queue for the tests of one `describe`: registers the beforeAll that
 * starts them and the afterAll that stops them (the worker first, so no activity calls a closed simulator).
 */
export function useSimWorker(
  prefix: string,
  simOptions: Omit<SimOptions, 'port'> = {},
  env: NodeJS.ProcessEnv = {},
): SimWorker {
  let w: WorkerFixture | undefined;
  let sim: SimHandle | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, ...simOptions });
    w = await startWorkerFixture(prefix, env);
  });
  afterAll(async () => {
    await w?.stop();
    await sim?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useSimWorker('${prefix}'): the ${what} is used before beforeAll ran`);
    return value;
  };
  return {
    get w() {
      return started(w, 'worker');
    },
    get sim() {
      return started(sim, 'simulator');
    },
  };
}
