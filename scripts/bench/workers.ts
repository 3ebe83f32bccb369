// Bench: one iteration with 1, 2 and 4 worker processes against the simulator, whose own capacity (concurrent
// calls served) is the endpoint's bottleneck. Throughput should grow with workers until that capacity is reached.
// Run alone with `npx tsx scripts/bench/workers.ts`; `npm run bench` includes it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { stringify } from 'yaml';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startSimulator } from '../../src/sim';
import { startDevServer } from '../../src/temporal/devServer';
import type { IterationResult } from '../../src/shared';

const LATENCY_MS = 25;
const PER_WORKER_CONCURRENCY = 8;
const CAPACITY = 24;
const QUESTIONS = 128;

function startWorker(configPath: string, address: string): Promise<ChildProcess> {
  const child = spawn('node', ['bin/rloop.js', 'worker', '--config', configPath, '--address', address], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (/Ctrl-C to stop/.test(err)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
}

export interface WorkerScalingRow {
  workers: number;
  llmCalls: number;
  wallSeconds: number;
  callsPerSecond: number;
  idealCallsPerSecond: number;
  efficiency: number;
}

export async function benchWorkers(counts = [1, 2, 4]): Promise<WorkerScalingRow[]> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({});
  const sim = await startSimulator({ port: 0, seed: 1, faults: { latencyMs: LATENCY_MS, capacity: CAPACITY } });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const rows: WorkerScalingRow[] = [];
  try {
    for (const n of counts) {
      const dir = mkdtempSync(join(tmpdir(), 'rloop-bench-workers-'));
      const name = `bench-workers-${n}-${Date.now()}`;
      const config = {
        campaign: { name, questionsPerIteration: QUESTIONS, shardSize: 8, maxConcurrentShards: 16, seed: n },
        endpoints: { sim: { baseURL: sim.url, concurrency: PER_WORKER_CONCURRENCY, timeoutMs: 60_000 } },
        roles: {
          generator: { endpoint: 'sim', model: 'sim-generator' },
          solver: {
            endpoint: 'sim',
            model: 'sim-solver',
            regimes: [
              { name: 'careful', kind: 'temperature', tag: 'strong', temperature: 0.2, samples: 2 },
              { name: 'small', kind: 'model', model: 'sim-solver-small', tag: 'weak', samples: 2 },
            ],
          },
          judge: { endpoint: 'sim', model: 'sim-judge', passes: 2, modes: ['pointwise'] },
        },
        storage: { root: join(dir, 'artifacts'), cacheDir: join(dir, 'cache'), jobsDir: join(dir, 'jobs') },
        temporal: { taskQueue: `bench-workers-${n}` },
      };
      mkdirSync(dir, { recursive: true });
      const configPath = join(dir, 'rloop.config.yaml');
      writeFileSync(configPath, stringify(config));
      const workers = await Promise.all(Array.from({ length: n }, () => startWorker(configPath, server.address)));
      sim.resetStats();
      const t0 = performance.now();
      const result = (await client.workflow.execute('iterationWorkflow', {
        taskQueue: config.temporal.taskQueue,
        workflowId: `campaign-${name}-iter-0`,
        args: [{ iteration: 0, config }],
      })) as IterationResult;
      const wallSeconds = (performance.now() - t0) / 1000;
      const llmCalls = sim.stats().routes['POST /v1/chat/completions'] ?? 0;
      if (result.counts.questions !== QUESTIONS)
        throw new Error(`iteration generated ${result.counts.questions} questions`);
      const idealCallsPerSecond = Math.min(n * PER_WORKER_CONCURRENCY, CAPACITY) / (LATENCY_MS / 1000);
      const callsPerSecond = llmCalls / wallSeconds;
      rows.push({
        workers: n,
        llmCalls,
        wallSeconds,
        callsPerSecond,
        idealCallsPerSecond,
        efficiency: callsPerSecond / idealCallsPerSecond,
      });
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    }
  } finally {
    await connection.close();
    await sim.close();
    await server.stop();
  }
  return rows;
}

export function workersTable(rows: WorkerScalingRow[]): string {
  const head = `workers | LLM calls | wall s | calls/s | ideal calls/s (min(workers×${PER_WORKER_CONCURRENCY}, capacity ${CAPACITY}) / ${LATENCY_MS} ms) | efficiency`;
  return [
    head,
    ...rows.map(
      (r) =>
        `${r.workers} | ${r.llmCalls} | ${r.wallSeconds.toFixed(2)} | ${r.callsPerSecond.toFixed(0)} | ${r.idealCallsPerSecond.toFixed(0)} | ${r.efficiency.toFixed(2)}`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchWorkers();
  console.log(workersTable(rows));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/workers.json', JSON.stringify({ workerScaling: rows }, null, 2));
}
