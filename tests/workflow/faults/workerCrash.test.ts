// Worker crashes: the worker runs as its own process (`rloop worker`) and is SIGKILLed at seeded random points of
// an iteration (the k-th request the endpoint receives, so every kill lands with calls in flight), then started
// again. Each trial has its own simulator (same seed), task queue and storage, so its counts are its own. Checked
// against an uninterrupted run of the same config: the iteration completes, every artifact has the same rows (and
// the same bytes: the simulator answers by seed and the request cache replays what was paid for), no second trainer
// job, and the extra model calls stay within what can be in flight when a worker dies (endpoint concurrency per
// kill: a limiter slot is held until its call is in the request cache, so no more than that are paid but uncached).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { mulberry32, randomInt } from '../../../src/domain';
import { startSimulator, type SimHandle } from '../../../src/sim';
import type { IterationResult } from '../../../src/contracts/iteration';
import type { RloopConfigInput } from '../../../src/config';
import { connectTestTemporal, tempDir, uniqueId, type TestTemporal } from '../../helpers/temporal';
import { simConfig } from '../../helpers/config';
import { startWorkerProcess, writeWorkerConfig, type WorkerProcess } from '../../helpers/process';
import {
  CHAT,
  printFaultTable,
  readIterationArtifacts,
  rowCounts,
  sleep,
  type FaultRow,
  type IterationArtifacts,
  workflowTree,
} from './helpers';
import { iterationWorkflow } from '../../../src/workflows';

const SEED = 11;
const CONCURRENCY = 4;
const TRIALS = Number(process.env.RLOOP_CRASH_TRIALS ?? 10);
type Kind = 'plain' | 'training' | 'scoring';
/** Where a kill lands: when the simulator has seen its k-th request, or while an activity of the shard runs. */
type KillPoint = number | 'scoreReliability';
/** Scoring trials: one shard, and bootstrap intervals heavy enough (~1.5 s) to kill the worker inside scoring. */
const SCORING_TRIALS = 2;

const requestsSeen = (sim: SimHandle) => Object.values(sim.stats().routes).reduce((a, b) => a + b, 0);

function trialConfig(simUrl: string, kind: Kind, name: string, taskQueue: string): RloopConfigInput {
  return simConfig(simUrl, {
    campaign: { name, questionsPerIteration: 16, shardSize: kind === 'scoring' ? 16 : 4 },
    ...(kind === 'scoring' ? { reliability: { bootstrap: { samples: 100_000 } } } : {}),
    endpoints: { sim: { baseURL: simUrl, concurrency: CONCURRENCY, timeoutMs: 10_000 } },
    ...(kind === 'training'
      ? {
          training: {
            generator: { backend: 'none' as const },
            solver: { backend: 'openai' as const, endpoint: 'sim', pollIntervalSeconds: 1 },
          },
        }
      : {}),
    taskQueue,
  });
}

interface Run {
  kind: Kind;
  kills: number;
  result: IterationResult | null;
  error: string | null;
  artifacts: IterationArtifacts | null;
  chatCalls: number;
  requests: number;
  trainerJobs: number;
  seconds: number;
}

/** What a stuck iteration is waiting for (pending activities and their attempts), for the failure message. */
async function pendingWork(t: TestTemporal, workflowId: string): Promise<string> {
  const out: string[] = [];
  for (const id of await workflowTree(t.client, workflowId)) {
    const d = await t.client.workflow.getHandle(id).describe();
    for (const a of d.raw.pendingActivities ?? [])
      out.push(
        `${id}: ${a.activityType?.name} attempt ${a.attempt} state ${a.state} (${a.lastFailure?.message ?? ''})`,
      );
  }
  return out.join('; ') || 'none';
}

/**
 * One iteration on its own simulator, worker process and task queue. `killAt` lists request counts (at the
 * simulator) at which the worker is SIGKILLed and immediately started again.
 */
async function runIteration(t: TestTemporal, kind: Kind, killAt: KillPoint[]): Promise<Run> {
  const started = Date.now();
  const sim = await startSimulator({ port: 0, seed: SEED, faults: { latencyMs: 20 }, jobDurationMs: 1000 });
  // One campaign name for every run: sample seeds derive from it, so all runs ask the same questions.
  const name = `crash-${kind}`;
  const taskQueue = uniqueId('crash-q');
  const dir = tempDir('rloop-crash-');
  const config = trialConfig(sim.url, kind, name, taskQueue);
  const configPath = writeWorkerConfig(dir, config);
  const workers: WorkerProcess[] = [];
  let kills = 0;
  const killedAt: string[] = [];
  try {
    workers.push(await startWorkerProcess({ address: t.address, configPath }));
    const workflowId = uniqueId(`campaign-${name}-iter-0`);
    const handle = await t.client.workflow.start(iterationWorkflow, {
      taskQueue,
      workflowId,
      args: [{ iteration: 0, config }],
    });
    let finished = false;
    const outcome = handle.result().then(
      (r) => ({ result: r, error: null }),
      (e: unknown) => ({ result: null, error: String(e) }),
    );
    void outcome.then(() => (finished = true));
    const reached = async (k: KillPoint) => {
      if (typeof k === 'number') return requestsSeen(sim) >= k;
      const shard = await t.client.workflow
        .getHandle(`${workflowId}/shard-0`)
        .describe()
        .catch(() => null);
      return (shard?.raw.pendingActivities ?? []).some((a) => a.activityType?.name === k);
    };
    for (const k of killAt) {
      while (!finished && !(await reached(k))) await sleep(typeof k === 'number' ? 2 : 50);
      if (finished) break;
      await workers[workers.length - 1]!.kill('SIGKILL');
      kills++;
      killedAt.push(((Date.now() - started) / 1000).toFixed(1));
      workers.push(await startWorkerProcess({ address: t.address, configPath }));
    }
    const { result, error } = await Promise.race([
      outcome,
      sleep(150_000).then(async () => ({
        result: null,
        error: `did not complete within 150 s; pending: ${await pendingWork(t, workflowId)}`,
      })),
    ]);
    console.log(
      `${kind} ${workflowId}: kill at ${killAt.join(',')} → killed at ${killedAt.join(',')} s, done ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const api = new OpenAI({ baseURL: sim.url, apiKey: 'x' });
    const jobs = (await api.fineTuning.jobs.list({ limit: 100 })).data;
    return {
      kind,
      kills,
      result,
      error,
      artifacts: result ? await readIterationArtifacts(join(dir, 'artifacts'), result.manifest) : null,
      chatCalls: sim.stats().routes[CHAT] ?? 0,
      requests: requestsSeen(sim),
      trainerJobs: jobs.filter((j) => j.metadata?.rloop_key === `${workflowId}-solver`).length,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const w of workers) await w.kill('SIGKILL');
    await sim.close();
  }
}

describe('worker SIGKILL at seeded random points of an iteration', () => {
  let t: TestTemporal;
  const baseline = {} as Record<Kind, Run>;

  beforeAll(async () => {
    t = await connectTestTemporal();
    const kinds: Kind[] = ['plain', 'training', 'scoring'];
    const runs = await Promise.all(kinds.map((kind) => runIteration(t, kind, [])));
    kinds.forEach((kind, i) => (baseline[kind] = runs[i]!));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('uninterrupted runs complete and are reproducible by seed', () => {
    for (const run of Object.values(baseline)) {
      expect(run.error).toBeNull();
      expect(run.result!.counts).toMatchObject({ questions: 16, answers: 64, judgments: 192 });
    }
    expect(baseline.training.result!.training.solver?.state).toBe('succeeded');
    expect(baseline.training.trainerJobs).toBe(1);
  });

  it(`${TRIALS} seeded trials + ${SCORING_TRIALS} during scoring: every iteration completes, nothing lost, no second trainer job, bounded duplicate calls`, async () => {
    const rng = mulberry32(SEED);
    const plan: Array<{ kind: Kind; killAt: KillPoint[] }> = Array.from({ length: TRIALS }, (_, i) => {
      const kind: Kind = i % 3 === 2 ? 'training' : 'plain';
      const total = baseline[kind].requests;
      // Training trials are killed after the shard steps (data sets, upload, job create, status polls, the gate):
      // the plain trials cover the LLM steps.
      const from = kind === 'training' ? baseline.plain.requests : 0;
      const first = from + 1 + randomInt(rng, total - from - 1);
      const killAt = rng() < 0.3 ? [first, first + 1 + randomInt(rng, Math.max(1, total - first))] : [first];
      return { kind, killAt };
    });
    for (let i = 0; i < SCORING_TRIALS; i++) plan.push({ kind: 'scoring', killAt: ['scoreReliability'] });
    // All at once: each kill costs the heartbeat timeout (30 s) before the lost activity is retried, and those
    // waits overlap.
    const runs = await Promise.all(plan.map((p) => runIteration(t, p.kind, p.killAt)));

    const rows: FaultRow[] = [];
    const faultName: Record<Kind, string> = {
      plain: 'worker SIGKILL during LLM steps',
      training: 'worker SIGKILL, iteration with openai trainer',
      scoring: 'worker SIGKILL during scoring (bookkeeping activity)',
    };
    for (const kind of ['plain', 'training', 'scoring'] as const) {
      const mine = runs.map((r, i) => ({ ...r, plan: plan[i]! })).filter((r) => r.kind === kind);
      const base = baseline[kind];
      const extra = mine.map((r) => r.chatCalls - base.chatCalls);
      console.log(
        mine
          .map(
            (r, i) =>
              `${kind} trial: kill at requests ${r.plan.killAt.join(',')} → ${r.kills} kill(s), ${extra[i]} extra LLM ` +
              `calls, ${r.trainerJobs} trainer job(s), ${r.seconds.toFixed(1)} s${r.error ? `, ERROR ${r.error}` : ''}`,
          )
          .join('\n'),
      );
      const lost = mine.filter(
        (r) =>
          !r.artifacts ||
          JSON.stringify(rowCounts(r.artifacts)) !== JSON.stringify(rowCounts(base.artifacts!)) ||
          JSON.stringify(r.result?.counts) !== JSON.stringify(base.result!.counts),
      ).length;
      rows.push({
        fault: faultName[kind],
        trials: mine.length,
        completed: mine.filter((r) => r.result !== null).length,
        dataLost: lost,
        duplicates:
          `${extra.reduce((a, b) => a + b, 0)} extra LLM calls over ${mine.reduce((a, r) => a + r.kills, 0)} kills ` +
          `(bound ${CONCURRENCY}/kill)` +
          (kind === 'training' ? `, ${mine.reduce((a, r) => a + r.trainerJobs - 1, 0)} extra trainer jobs` : ''),
      });

      for (const [i, r] of mine.entries()) {
        expect(r.error).toBeNull();
        expect(r.kills).toBeGreaterThan(0);
        expect(r.result!.counts).toEqual(base.result!.counts);
        expect(rowCounts(r.artifacts!)).toEqual(rowCounts(base.artifacts!));
        // Same bytes: what was paid for before the crash is replayed from the request cache, and what was not is
        // asked again with the same seed.
        expect(r.artifacts).toEqual(base.artifacts);
        expect(r.result!.reliability).toEqual(base.result!.reliability);
        expect(extra[i]).toBeGreaterThanOrEqual(0);
        expect(extra[i]).toBeLessThanOrEqual(CONCURRENCY * r.kills);
        if (kind === 'training') {
          expect(r.trainerJobs).toBe(1);
          expect(r.result!.training.solver?.state).toBe('succeeded');
        }
      }
    }
    printFaultTable(rows);
  }, 170_000);
});
