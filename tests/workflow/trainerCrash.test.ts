// A worker killed between the trainer's create call and its acknowledgement must not lead to a second job: the
// retried submit finds the job by its idempotency key and reattaches.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimulator, type SimHandle } from '../../src/sim';
import { connectTestTemporal, tempDir, uniqueId, type TestTemporal } from '../helpers/temporal';
import { simConfig } from '../helpers/config';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../helpers/process';
import { iterationWorkflow } from '../../src/workflows';

/** Forwards to the simulator; on the first fine-tuning job create it lets the job be created, then kills the
 * worker before the response reaches it. */
function killingProxy(target: URL, onCreate: () => Promise<void>): Promise<{ server: Server; url: string }> {
  let armed = true;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', async () => {
            if (armed && req.method === 'POST' && req.url === '/v1/fine_tuning/jobs') {
              armed = false;
              await onCreate(); // the job exists upstream; its creator dies before hearing back
              res.destroy();
              return;
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` }),
    ),
  );
}

describe('trainer submit is idempotent across a worker crash', () => {
  let t: TestTemporal;
  let sim: SimHandle;
  let proxy: Server;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startSimulator({ port: 0, seed: 9, jobDurationMs: 1000 });
  });
  afterAll(async () => {
    for (const w of workers) await w.kill();
    proxy?.close();
    await sim?.close();
    await t?.close();
  });

  it('kill -9 between the create call and its ack: exactly one trainer job, and the iteration completes', async () => {
    // A fixed name: sample seeds derive from it, so the iteration's data (and its solver pairs) repeat every run.
    const name = 'trainer-crash';
    const taskQueue = uniqueId('crash-q');
    const dir = tempDir();
    let proxyUrl = '';
    const started = await killingProxy(new URL(sim.url), async () => {
      await workers[0]!.kill('SIGKILL');
    });
    proxy = started.server;
    proxyUrl = started.url;
    const config = simConfig(proxyUrl, {
      campaign: { name, questionsPerIteration: 16 },
      training: {
        generator: { backend: 'none' },
        solver: { backend: 'openai', endpoint: 'sim', pollIntervalSeconds: 1 },
      },
      taskQueue,
    });
    const configPath = writeWorkerConfig(dir, config);
    workers.push(await startWorkerProcess({ address: t.address, configPath }));

    const handle = await t.client.workflow.start(iterationWorkflow, {
      taskQueue,
      workflowId: `campaign-${name}-iter-0`,
      args: [{ iteration: 0, config }],
    });
    // Wait for the kill, then bring a new worker up.
    for (let i = 0; i < 600 && workers[0]!.child.exitCode === null && workers[0]!.child.signalCode === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(workers[0]!.child.signalCode).toBe('SIGKILL');
    workers.push(await startWorkerProcess({ address: t.address, configPath }));

    const result = await handle.result();
    expect(result.training.solver?.state).toBe('succeeded');

    const key = `campaign-${name}-iter-0-solver`;
    const api = new OpenAI({ baseURL: sim.url, apiKey: 'x' });
    const jobs = (await api.fineTuning.jobs.list({ limit: 100 })).data.filter((j) => j.metadata?.rloop_key === key);
    expect(jobs).toHaveLength(1);
    expect(sim.stats().routes['POST /v1/fine_tuning/jobs']).toBe(1);

    // The submit activity really was retried after the crash.
    const child = t.client.workflow.getHandle(`campaign-${name}-iter-0/train-solver`);
    const attempts = ((await child.fetchHistory()).events ?? []).flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [],
    );
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  });
});
