// Temporal server restart: a dev server of this test's own, with a file DB, is stopped mid-campaign and started again
// on the same port. The campaign (two iterations, continue-as-new between them) completes with the worker process
// that was running all along: it reconnects by itself.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../../src/temporal/devServer';
import { startSimulator, type SimHandle } from '../../../src/sim';
import { tempDir, uniqueId } from '../../helpers/temporal';
import { simConfig } from '../../helpers/config';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../../helpers/process';
import { CHAT, printFaultTable, sleep, waitFor } from './helpers';
import { campaignWorkflow } from '../../../src/workflows';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** How long the server stays down; the worker's polls fail and back off meanwhile. */
const DOWN_MS = 5_000;

describe('Temporal server restart mid-campaign', () => {
  let server: DevServer | undefined;
  let sim: SimHandle | undefined;
  let worker: WorkerProcess | undefined;

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await server?.stop();
    await sim?.close();
  });

  it('the campaign completes after the server is stopped and started again on its DB file', async () => {
    const dir = tempDir('rloop-restart-');
    const dbFile = join(dir, 'temporal.db');
    const port = await freePort();
    server = await startDevServer({ dbFile, port });
    const address = server.address;
    sim = await startSimulator({ port: 0, seed: 13, faults: { latencyMs: 20 } });
    const name = uniqueId('restart');
    const taskQueue = uniqueId('restart-q');
    const config = simConfig(sim.url, {
      campaign: { name, iterations: 2, questionsPerIteration: 16, shardSize: 4 },
      endpoints: { sim: { baseURL: sim.url, concurrency: 4, timeoutMs: 10_000 } },
      taskQueue,
    });
    worker = await startWorkerProcess({ address, configPath: writeWorkerConfig(dir, config) });

    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const handle = await client.workflow.start(campaignWorkflow, {
      taskQueue,
      workflowId: `campaign-${name}`,
      args: [{ config }],
    });
    await connection.close();

    // Mid-iteration 0: about half of its model calls made.
    await waitFor('iteration 0 under way', () => (sim!.stats().routes[CHAT] ?? 0) >= 120, 60_000);
    const callsAtStop = sim.stats().routes[CHAT] ?? 0;
    await server.stop();
    server = undefined;
    // Really down: nothing answers on the port.
    await expect(Connection.connect({ address, connectTimeout: 1_000 })).rejects.toThrow();
    await sleep(DOWN_MS);
    server = await startDevServer({ dbFile, port });
    expect(server.address).toBe(address);

    const again = await Connection.connect({ address });
    try {
      const status = await new Client({ connection: again }).workflow
        .getHandle<typeof campaignWorkflow>(handle.workflowId)
        .result();
      expect(status.history).toHaveLength(2);
      expect(status.history.map((h) => h.questions)).toEqual([16, 16]);
      // The same worker process did it all: it was never restarted.
      expect(worker.child.exitCode).toBeNull();
      expect(worker.child.signalCode).toBeNull();
      printFaultTable([
        {
          fault: `Temporal server stopped ${DOWN_MS / 1000} s mid-iteration, restarted on its DB file`,
          trials: 1,
          completed: 1,
          dataLost: 0,
          duplicates: `${(sim.stats().routes[CHAT] ?? 0) - 2 * 272} extra LLM calls (stopped at call ${callsAtStop})`,
        },
      ]);
    } finally {
      await again.close();
    }
  }, 170_000);
});
