// A worker on its own task queue for one test file, started in beforeAll and shut down in afterAll.
import type { Worker } from '@temporalio/worker';
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
