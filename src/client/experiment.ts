// Runs an experiment plan: one simulator world per (arm, seed) on its own port with its own state file, a worker,
// and the campaigns on one Temporal server, at most `parallel` at a time in seed-major order. Resumable: a campaign
// that already completed is skipped, a running one is attached to, a failed or terminated one continues from its
// saved state. Afterwards every figure is computed (src/eval ground truth + the loop's metrics) and written.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { campaignStatusQuery } from '../contracts/campaign';
import { startSimulator } from '../sim';
import type { SimHandle } from '../sim/types';
import { createArtifactStore } from '../store';
import { createWorker, type WorkerOptions } from '../worker';
import { campaignHandle, loadCampaign, startCampaign } from './campaign';
import { iterationFigures, skillOf } from './experimentFigures';
import type { ExperimentPlan, PlannedCampaign } from './experimentPlan';
import { aggregateExperiment, type CampaignFigures, type ExperimentData } from '../report/experimentData';
import { renderExperimentHtml } from '../report/experimentHtml';

export type CampaignState = 'waiting' | 'running' | 'completed' | 'failed';

export interface ExperimentProgress {
  experiment: string;
  elapsedMs: number;
  iterationsDone: number;
  iterationsTotal: number;
  campaigns: Array<{ campaign: string; state: CampaignState; iterationsDone: number; error?: string }>;
  /** From the pace so far; null until an iteration has finished in this run. */
  etaMs: number | null;
}

export interface RunExperimentOptions {
  plan: ExperimentPlan;
  client: Client;
  /** Connection for an in-process worker on the plan's task queue; null when workers run elsewhere. */
  workerConnection: NativeConnection | null;
  namespace?: string;
  workflowBundle?: WorkerOptions['workflowBundle'];
  onProgress?: (p: ExperimentProgress) => void;
  progressIntervalMs?: number;
  /** Output folder of experiment.json / experiment.html (default <dir>/report). */
  out?: string;
  /** The command line, recorded in the outputs. */
  command?: string;
}

export interface ExperimentOutcome {
  data: ExperimentData;
  jsonPath: string;
  htmlPath: string;
  wallTimeSeconds: number;
  failed: Array<{ campaign: string; error: string }>;
}

async function workflowStatus(client: Client, c: PlannedCampaign): Promise<string | null> {
  try {
    return (await campaignHandle(client, c.campaign).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** Starts (or attaches to, or skips) one campaign and waits for it. */
async function runCampaign(client: Client, c: PlannedCampaign): Promise<void> {
  const status = await workflowStatus(client, c);
  if (status === 'COMPLETED') return;
  if (status !== 'RUNNING') await startCampaign(client, c.config, { resume: status !== null });
  await campaignHandle(client, c.campaign).result();
}

export async function runExperiment(opts: RunExperimentOptions): Promise<ExperimentOutcome> {
  const { plan, client } = opts;
  const t0 = Date.now();
  await mkdir(join(plan.dir, 'worlds'), { recursive: true });
  const sims = new Map<string, SimHandle>();
  const state = new Map(
    plan.campaigns.map((c) => [
      c.campaign,
      { state: 'waiting' as CampaignState, done: 0, error: undefined as string | undefined },
    ]),
  );
  let worker: Awaited<ReturnType<typeof createWorker>> | null = null;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  try {
    for (const c of plan.campaigns) {
      sims.set(
        c.campaign,
        await startSimulator({
          port: c.simPort,
          seed: c.seed,
          world: plan.world,
          statePath: c.simState,
          jobDurationMs: plan.jobDurationMs,
        }),
      );
    }
    const first = plan.campaigns[0]!.config.storage;
    if (opts.workerConnection) {
      worker = await createWorker({
        connection: opts.workerConnection,
        namespace: opts.namespace,
        taskQueue: plan.taskQueue,
        store: { kind: 'fs', root: first.root },
        cacheDir: first.cacheDir,
        jobsDir: first.jobsDir,
        workflowBundle: opts.workflowBundle,
      });
      running = worker.run();
    }

    const doneAtStart = { value: -1 };
    const report = async () => {
      const p = await progress(client, plan, state, t0, doneAtStart);
      opts.onProgress?.(p);
    };
    timer = setInterval(() => void report().catch(() => undefined), opts.progressIntervalMs ?? 5000);

    const queue = [...plan.campaigns];
    const lanes = Array.from({ length: Math.min(plan.parallel, queue.length) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const s = state.get(c.campaign)!;
        s.state = 'running';
        try {
          await runCampaign(client, c);
          s.state = 'completed';
          s.done = plan.iterations;
        } catch (err) {
          s.state = 'failed';
          s.error = err instanceof Error ? err.message : String(err);
        }
      }
    });
    await Promise.all(lanes);
    clearInterval(timer);
    timer = null;
    await report();

    const campaigns: CampaignFigures[] = [];
    for (const c of plan.campaigns) campaigns.push(await campaignFigures(client, c, sims.get(c.campaign)!));
    const wallTimeSeconds = (Date.now() - t0) / 1000;
    const data = aggregateExperiment(
      { name: plan.name, reference: plan.reference, arms: plan.arms, seeds: plan.seeds, iterations: plan.iterations },
      campaigns,
      { wallTimeSeconds, command: opts.command ?? null },
    );
    const out = opts.out ?? join(plan.dir, 'report');
    await mkdir(out, { recursive: true });
    const jsonPath = join(out, 'experiment.json');
    const htmlPath = join(out, 'experiment.html');
    await writeFile(jsonPath, `${JSON.stringify(data, null, 1)}\n`);
    await writeFile(htmlPath, renderExperimentHtml(data));
    const failed = [...state].flatMap(([campaign, s]) =>
      s.state === 'failed' ? [{ campaign, error: s.error ?? '' }] : [],
    );
    return { data, jsonPath, htmlPath, wallTimeSeconds, failed };
  } finally {
    if (timer) clearInterval(timer);
    worker?.shutdown();
    await running;
    for (const sim of sims.values()) await sim.close();
  }
}

async function campaignFigures(client: Client, c: PlannedCampaign, sim: SimHandle): Promise<CampaignFigures> {
  const world = sim.world();
  const base = skillOf(world, c.config.roles.solver.model);
  const initialSkill = Object.values(base).reduce((a, b) => a + b, 0) / Math.max(1, Object.values(base).length);
  const empty = { arm: c.arm, seed: c.seed, campaign: c.campaign, initialSkill, iterations: [] };
  let snapshot;
  try {
    snapshot = await loadCampaign(client, c.campaign);
  } catch {
    return { ...empty, workflowStatus: 'NOT_FOUND' };
  }
  const store = createArtifactStore({ kind: 'fs', root: c.config.storage.root });
  const iterations = [];
  for (const r of snapshot.results) iterations.push(await iterationFigures(world, store, r));
  return { ...empty, workflowStatus: snapshot.workflowStatus, iterations };
}

async function progress(
  client: Client,
  plan: ExperimentPlan,
  state: Map<string, { state: CampaignState; done: number; error?: string }>,
  t0: number,
  doneAtStart: { value: number },
): Promise<ExperimentProgress> {
  for (const [campaign, s] of state) {
    if (s.state !== 'running') continue;
    try {
      s.done = (await campaignHandle(client, campaign).query(campaignStatusQuery)).nextIteration;
    } catch {
      // Between two runs (continue-as-new) the query can fail: the next poll reads it.
    }
  }
  const campaigns = [...state].map(([campaign, s]) => ({
    campaign,
    state: s.state,
    iterationsDone: s.done,
    ...(s.error ? { error: s.error } : {}),
  }));
  const iterationsDone = campaigns.reduce((a, c) => a + c.iterationsDone, 0);
  if (doneAtStart.value < 0) doneAtStart.value = iterationsDone;
  const iterationsTotal = plan.campaigns.length * plan.iterations;
  const elapsedMs = Date.now() - t0;
  const paced = iterationsDone - doneAtStart.value;
  const etaMs = paced > 0 ? ((iterationsTotal - iterationsDone) * elapsedMs) / paced : null;
  return { experiment: plan.name, elapsedMs, iterationsDone, iterationsTotal, campaigns, etaMs };
}
