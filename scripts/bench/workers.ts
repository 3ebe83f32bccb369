// Bench: one iteration with 1, 2 and 4 worker processes against the simulator, whose own capacity (concurrent
// calls served) is the endpoint's bottleneck. Throughput should grow with workers until that capacity is reached.
// Run alone with `npx tsx scripts/bench/workers.ts`; `npm run bench` includes it.
import Table from 'cli-table3';
import { benchConfigInput, LATENCY_MS as BENCH_LATENCY_MS, workload } from './config';
import { chatCalls, startBenchEnv, type BenchEnv } from './env';
import { runIteration, startWorkerProcess } from './temporal';

// A slow endpoint (200 ms a call) that serves 24 calls at once, and workers that each send at most 8: one worker
// can use a third of the endpoint, three fill it, a fourth only waits. At 25 ms a call the 2-core machine's CPU
// (~1 ms of worker CPU per call, the simulator and the server beside it) would be the limit before the endpoint.
const LATENCY_MS = 200;
const PER_WORKER_CONCURRENCY = 8;
const CAPACITY = 24;
const QUESTIONS = 32;
/** Small shards, so that an iteration's work spreads over every worker polling the queue. */
const SHARD_SIZE = 4;

export interface WorkerScalingRow {
  workers: number;
  llmCalls: number;
  wallSeconds: number;
  callsPerSecond: number;
  idealCallsPerSecond: number;
  efficiency: number;
  /** Busy fraction of the endpoint's serving slots: calls × latency / (capacity × wall). */
  endpointUtilisation: number;
  /** What bounds the ideal rate: the workers' own concurrency, or the endpoint's capacity. */
  limit: 'workers' | 'endpoint';
}

export async function benchWorkers(env: BenchEnv, counts = [1, 2, 3, 4]): Promise<WorkerScalingRow[]> {
  await env.sim.setFaults({ latencyMs: LATENCY_MS, capacity: CAPACITY });
  const rows: WorkerScalingRow[] = [];
  try {
    for (const n of counts) {
      const dir = env.scratch(`workers-${n}`);
      const w = workload(QUESTIONS, {
        shardSize: SHARD_SIZE,
        maxConcurrentShards: 16,
        concurrency: PER_WORKER_CONCURRENCY,
      });
      const config = benchConfigInput(env.sim.url, w, `bench-workers-${n}`);
      const workers = await Promise.all(Array.from({ length: n }, () => startWorkerProcess(env, config, dir)));
      try {
        await env.sim.resetStats();
        const run = await runIteration(env, config, `bench-workers-${n}`, `bench-workers-${n}`);
        const llmCalls = chatCalls(await env.sim.stats());
        if (run.result.counts.questions !== QUESTIONS)
          throw new Error(`iteration generated ${run.result.counts.questions} of ${QUESTIONS} questions`);
        const idealCallsPerSecond = Math.min(n * PER_WORKER_CONCURRENCY, CAPACITY) / (LATENCY_MS / 1000);
        const callsPerSecond = llmCalls / run.wallSeconds;
        rows.push({
          workers: n,
          llmCalls,
          wallSeconds: run.wallSeconds,
          callsPerSecond,
          idealCallsPerSecond,
          efficiency: callsPerSecond / idealCallsPerSecond,
          endpointUtilisation: (llmCalls * LATENCY_MS) / 1000 / (CAPACITY * run.wallSeconds),
          limit: n * PER_WORKER_CONCURRENCY >= CAPACITY ? 'endpoint' : 'workers',
        });
      } finally {
        await Promise.all(workers.map((c) => c.stop()));
      }
    }
  } finally {
    await env.sim.setFaults({ latencyMs: BENCH_LATENCY_MS });
  }
  return rows;
}

export function workersTable(rows: WorkerScalingRow[]): string {
  const table = new Table({
    head: [
      `workers (Q=${QUESTIONS})`,
      'LLM calls',
      'wall s',
      'calls/s',
      `ideal calls/s: min(workers×${PER_WORKER_CONCURRENCY}, ${CAPACITY}) / ${LATENCY_MS} ms`,
      'efficiency',
      'endpoint busy',
      'limit',
    ],
  });
  for (const r of rows)
    table.push([
      r.workers,
      r.llmCalls,
      r.wallSeconds.toFixed(1),
      r.callsPerSecond.toFixed(1),
      r.idealCallsPerSecond.toFixed(0),
      r.efficiency.toFixed(2),
      `${(100 * r.endpointUtilisation).toFixed(0)} %`,
      r.limit,
    ]);
  return table.toString();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = await startBenchEnv();
  try {
    console.log(workersTable(await benchWorkers(env)));
  } finally {
    await env.close();
  }
}
