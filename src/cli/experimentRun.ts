// An experiment end to end in this process: the simulator worlds, a worker on the plan's task queue (unless workers
// run elsewhere), the campaigns, then experiment.json and experiment.html. Used by `rloop experiment` and its test.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { collectFigures, runCampaigns, startWorlds, type ExperimentProgress } from '../experiment/campaigns';
import type { ExperimentPlan } from '../experiment/plan';
import { aggregateExperiment, type ExperimentData } from '../report/experimentData';
import { renderExperimentHtml } from '../report/experimentHtml';
import { createWorker, type WorkerOptions } from '../worker';

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
  /** Start no campaign: write the figures of the iterations finished so far (the worker answers status queries). */
  reportOnly?: boolean;
}

export interface ExperimentOutcome {
  data: ExperimentData;
  jsonPath: string;
  htmlPath: string;
  wallTimeSeconds: number;
  failed: Array<{ campaign: string; error: string }>;
}

export async function runExperiment(opts: RunExperimentOptions): Promise<ExperimentOutcome> {
  const { plan, client } = opts;
  const t0 = Date.now();
  const sims = await startWorlds(plan);
  let worker: Awaited<ReturnType<typeof createWorker>> | null = null;
  let running: Promise<void> | null = null;
  try {
    const storage = plan.campaigns[0]!.config.storage;
    if (opts.workerConnection) {
      worker = await createWorker({
        connection: opts.workerConnection,
        namespace: opts.namespace,
        taskQueue: plan.taskQueue,
        store: { kind: 'fs', root: storage.root },
        cacheDir: storage.cacheDir,
        jobsDir: storage.jobsDir,
        workflowBundle: opts.workflowBundle,
      });
      running = worker.run();
    }
    const failed = opts.reportOnly ? [] : await runCampaigns(client, plan, opts.onProgress, opts.progressIntervalMs);
    const campaigns = await collectFigures(client, plan, sims);
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
    return { data, jsonPath, htmlPath, wallTimeSeconds, failed };
  } finally {
    worker?.shutdown();
    await running;
    for (const sim of sims.values()) await sim.close();
  }
}
