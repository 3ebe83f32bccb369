// An experiment plan on the client side: one simulator world per (arm, seed) on its own port with its own state
// file, the campaigns on one Temporal server, at most `parallel` at a time in seed-major order, and every figure
// afterwards (src/eval ground truth + the loop's metrics). Resumable: a campaign that already completed is skipped, a
// running one is attached to, a failed or terminated one continues from its saved state.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { campaignStatusQuery } from '../contracts/campaign';
import { startSimulator } from '../sim';
import type { SimHandle } from '../sim/types';
import { createArtifactStore } from '../store';
import { campaignHandle, loadCampaign, startCampaign } from '../client/campaign';
import { iterationFigures, skillOf, type CampaignFigures } from './figures';
import type { ExperimentPlan, PlannedCampaign } from './plan';

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

/** One simulator per planned world, on its port, with its state file (a rerun restores the world). */
export async function startWorlds(plan: ExperimentPlan): Promise<Map<string, SimHandle>> {
  await mkdir(join(plan.dir, 'worlds'), { recursive: true });
  const sims = new Map<string, SimHandle>();
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
  } catch (err) {
    for (const sim of sims.values()) await sim.close();
    throw err;
  }
  return sims;
}

/**
 * Runs every planned campaign, at most `plan.parallel` at a time in seed-major order, reporting progress; returns
 * the campaigns that failed (the others completed). Needs workers on the plan's task queue.
 */
export async function runCampaigns(
  client: Client,
  plan: ExperimentPlan,
  onProgress?: (p: ExperimentProgress) => void,
  progressIntervalMs = 5000,
): Promise<Array<{ campaign: string; error: string }>> {
  const t0 = Date.now();
  const state = new Map(
    plan.campaigns.map((c) => [
      c.campaign,
      { state: 'waiting' as CampaignState, done: 0, error: undefined as string | undefined },
    ]),
  );
  const doneAtStart = { value: -1 };
  const report = async () => onProgress?.(await progress(client, plan, state, t0, doneAtStart));
  // Reports run one after another, so the last one seen is the newest (a slow poll never lands after the final one).
  let reporting: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    reporting = reporting.then(report).catch(() => undefined);
  }, progressIntervalMs);
  try {
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
  } finally {
    clearInterval(timer);
  }
  await reporting;
  await report();
  return [...state].flatMap(([campaign, s]) => (s.state === 'failed' ? [{ campaign, error: s.error ?? '' }] : []));
}

/** Every campaign's figures, from Temporal (results), the artifact store and its world. */
export async function collectFigures(
  client: Client,
  plan: ExperimentPlan,
  sims: ReadonlyMap<string, SimHandle>,
): Promise<CampaignFigures[]> {
  const out: CampaignFigures[] = [];
  for (const c of plan.campaigns) out.push(await campaignFigures(client, c, sims.get(c.campaign)!));
  return out;
}

async function campaignFigures(client: Client, c: PlannedCampaign, sim: SimHandle): Promise<CampaignFigures> {
  const world = sim.world();
  const base = skillOf(world, c.config.roles.solver.model);
  const initialSkill = Object.values(base).reduce((a, b) => a + b, 0) / Math.max(1, Object.values(base).length);
  const solverMethod = c.config.training.solver.method;
  const empty = { arm: c.arm, seed: c.seed, campaign: c.campaign, solverMethod, initialSkill, iterations: [] };
  let snapshot;
  try {
    snapshot = await loadCampaign(client, c.campaign);
  } catch {
    return { ...empty, workflowStatus: 'NOT_FOUND' };
  }
  const store = createArtifactStore({ kind: 'fs', root: c.config.storage.root });
  const iterations = [];
  for (const r of snapshot.results) iterations.push(await iterationFigures(world, store, r, solverMethod));
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
      const next = (await campaignHandle(client, campaign).query(campaignStatusQuery)).nextIteration;
      // The campaign may have completed while the query was in flight: never move a count backwards.
      if (s.state === 'running') s.done = Math.max(s.done, next);
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
