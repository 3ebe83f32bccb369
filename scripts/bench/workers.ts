// Bench: one iteration with 1, 2 and 4 worker processes against the simulator, whose own capacity (concurrent
// calls served) is the endpoint's bottleneck. Throughput should grow with workers until that capacity is reached.
// Run alone with `npx tsx scripts/bench/workers.ts`; `npm run bench` includes it.
import { cpus, loadavg } from 'node:os';
import Table from 'cli-table3';
import type proto from '@temporalio/proto';
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
/** Activity slots per worker (`rloop worker --concurrency main=N`); unset: the worker's default (16). */
const ACTIVITY_SLOTS = Number(process.env.BENCH_WORKER_ACTIVITIES ?? 0) || undefined;
/** How workers take activities (`rloop worker --activity-slots`): the default, fixed, or BENCH_WORKER_SLOTS=endpoints. */
export const SLOTS = process.env.BENCH_WORKER_SLOTS === 'endpoints' ? 'endpoints' : 'fixed';
/** Questions of the untimed warm-up iteration, per worker. */
const WARM_QUESTIONS_PER_WORKER = 2;
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
  /** Busy share of the machine's CPUs (all processes) during the iteration, from the kernel's per-CPU times. */
  cpuBusy: number;
  /** 1-minute load average when the iteration started. */
  loadAverage: number;
  /**
   * Mean wall seconds of a shard's judge step (started → completed), and what it would take if each of the worker's
   * endpoint slots were never idle: calls / slots × latency. Their ratio is the worker-side cost per call.
   */
  judgeStepSeconds: number;
  judgeStepIdealSeconds: number;
}

/** Started → completed seconds of every `judgeAnswers` activity in the shards of an iteration. */
async function judgeStepSeconds(env: BenchEnv, workflowId: string): Promise<number[]> {
  const seconds = (e: proto.temporal.api.history.v1.IHistoryEvent) =>
    Number(e.eventTime?.seconds ?? 0) + (e.eventTime?.nanos ?? 0) / 1e9;
  const events = async (id: string) => (await env.client.workflow.getHandle(id).fetchHistory()).events ?? [];
  const shards = (await events(workflowId)).flatMap((e) => {
    const id = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    return id ? [id] : [];
  });
  const out: number[] = [];
  for (const shard of shards) {
    const h = await events(shard);
    const judge = h.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'judgeAnswers');
    const scheduled = String(judge?.eventId);
    const started = h.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === scheduled);
    const completed = h.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === scheduled);
    if (started && completed) out.push(seconds(completed) - seconds(started));
  }
  return out;
}

/** Busy and total CPU milliseconds summed over the machine's CPUs since boot. */
function cpuTimes() {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

/** One run of the table; `run` keeps the workflow ids and task queues of consecutive runs apart. */
export async function benchWorkers(env: BenchEnv, counts = [1, 2, 3, 4], run = 0): Promise<WorkerScalingRow[]> {
  await env.sim.setFaults({ latencyMs: LATENCY_MS, capacity: CAPACITY });
  const rows: WorkerScalingRow[] = [];
  try {
    for (const n of counts) {
      const dir = env.scratch(`workers-${n}`);
      const id = `bench-workers-${n}-run-${run}`;
      const w = workload(QUESTIONS, {
        shardSize: SHARD_SIZE,
        maxConcurrentShards: 16,
        concurrency: PER_WORKER_CONCURRENCY,
      });
      const config = benchConfigInput(env.sim.url, w, id);
      const args = ['--activity-slots', SLOTS, ...(ACTIVITY_SLOTS ? ['--concurrency', `main=${ACTIVITY_SLOTS}`] : [])];
      const workers = await Promise.all(Array.from({ length: n }, () => startWorkerProcess(env, config, dir, args)));
      try {
        // An untimed small iteration first, so the timed one meets warm workers (connections, compiled code),
        // as a long-running `rloop worker` would be; its shards spread over every worker polling the queue.
        const warm = { ...w, questions: WARM_QUESTIONS_PER_WORKER * n, shardSize: 1 };
        const warmConfig = benchConfigInput(env.sim.url, warm, id);
        // Its own campaign name: other requests, so the timed iteration finds none of its calls in the cache.
        warmConfig.campaign = { ...warmConfig.campaign, name: 'bench-warm' };
        await runIteration(env, warmConfig, `${id}-warm`, id);
        await env.sim.resetStats();
        const loadAverage = loadavg()[0]!;
        const before = cpuTimes();
        const it = await runIteration(env, config, id, id);
        const after = cpuTimes();
        const stats = await env.sim.stats();
        const llmCalls = chatCalls(stats);
        const judgeSteps = await judgeStepSeconds(env, id);
        const judgeCallsPerStep =
          ((stats.byRole.judge_pointwise ?? 0) + (stats.byRole.judge_pairwise ?? 0)) / Math.max(1, judgeSteps.length);
        if (it.result.counts.questions !== QUESTIONS)
          throw new Error(`iteration generated ${it.result.counts.questions} of ${QUESTIONS} questions`);
        const idealCallsPerSecond = Math.min(n * PER_WORKER_CONCURRENCY, CAPACITY) / (LATENCY_MS / 1000);
        const callsPerSecond = llmCalls / it.wallSeconds;
        rows.push({
          workers: n,
          llmCalls,
          wallSeconds: it.wallSeconds,
          callsPerSecond,
          idealCallsPerSecond,
          efficiency: callsPerSecond / idealCallsPerSecond,
          endpointUtilisation: (llmCalls * LATENCY_MS) / 1000 / (CAPACITY * it.wallSeconds),
          limit: n * PER_WORKER_CONCURRENCY >= CAPACITY ? 'endpoint' : 'workers',
          cpuBusy: (after.busy - before.busy) / Math.max(1, after.total - before.total),
          loadAverage,
          judgeStepSeconds: judgeSteps.reduce((a, b) => a + b, 0) / Math.max(1, judgeSteps.length),
          judgeStepIdealSeconds: ((judgeCallsPerStep / PER_WORKER_CONCURRENCY) * LATENCY_MS) / 1000,
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
      `workers (Q=${QUESTIONS}, --activity-slots ${SLOTS})`,
      'LLM calls',
      'wall s',
      'calls/s',
      `ideal calls/s: min(workers×${PER_WORKER_CONCURRENCY}, ${CAPACITY}) / ${LATENCY_MS} ms`,
      'efficiency',
      'endpoint busy',
      'limit',
      'CPU busy (all cores)',
      'load avg at start',
      `judge step s (ideal: calls/${PER_WORKER_CONCURRENCY} × ${LATENCY_MS} ms)`,
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
      `${(100 * r.cpuBusy).toFixed(0)} %`,
      r.loadAverage.toFixed(1),
      `${r.judgeStepSeconds.toFixed(2)} (${r.judgeStepIdealSeconds.toFixed(2)})`,
    ]);
  return table.toString();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = await startBenchEnv();
  try {
    const counts = process.env.BENCH_WORKER_COUNTS?.split(',').map(Number) ?? [1, 2, 3, 4];
    console.log(workersTable(await benchWorkers(env, counts)));
  } finally {
    await env.close();
  }
}
