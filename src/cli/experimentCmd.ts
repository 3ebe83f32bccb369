// `rloop experiment --config exp.yaml`: arms × seeds × iterations as campaigns on the simulator, with a progress
// display; then every figure as JSON and an HTML page. Rerunning the same command resumes it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../config';
import type { ExperimentProgress } from '../experiment/campaigns';
import { runExperiment } from './experimentRun';
import { planExperiment, type ExperimentPlan } from '../experiment/plan';
import { startDevServer, type DevServer } from '../temporal/devServer';
import { connectClient, connectWorker, resolveConnection } from '../temporal/connection';
import { experimentMarkdown } from '../report/experimentData';
import { temporalReachable } from './demo';

interface Opts {
  config: string;
  address?: string;
  namespace?: string;
  out?: string;
  worker?: boolean;
  json?: boolean;
  plan?: boolean;
  reportOnly?: boolean;
}

async function loadPlan(path: string): Promise<ExperimentPlan> {
  let raw: unknown;
  try {
    raw = parse(await readFile(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [
      { path: '(file)', message: code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}` },
    ]);
  }
  return planExperiment((raw ?? {}) as never, path);
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)}m`;

export function progressText(p: ExperimentProgress): string {
  const running = p.campaigns.filter((c) => c.state === 'running');
  const done = p.campaigns.filter((c) => c.state === 'completed').length;
  const failed = p.campaigns.filter((c) => c.state === 'failed').length;
  // "reliability-s0:3" = the campaign <experiment>-reliability-s0 has finished 3 iterations.
  const at = running.map((c) => `${c.campaign.slice(p.experiment.length + 1)}:${c.iterationsDone}`).join(' ');
  return (
    `[${minutes(p.elapsedMs)}] iterations ${p.iterationsDone}/${p.iterationsTotal} · campaigns ${done} done` +
    `${failed ? `, ${failed} failed` : ''}, ${running.length} running${at ? ` (${at})` : ''}` +
    (p.etaMs !== null ? ` · ETA ${minutes(p.etaMs)}` : '')
  );
}

export async function experimentCmd(opts: Opts): Promise<void> {
  const plan = await loadPlan(opts.config);
  if (opts.plan) {
    for (const c of plan.campaigns)
      process.stdout.write(
        `${c.campaign}\tworld seed ${c.seed}\tport ${c.simPort}\t${c.config.roles.generator.objective}\t` +
          `solver method ${c.config.training.solver.method}\n`,
      );
    return;
  }
  const conn = resolveConnection({ address: opts.address, namespace: opts.namespace });
  let server: DevServer | null = null;
  if (!(await temporalReachable(conn.options.address))) {
    const db = join(plan.dir, 'temporal.db');
    process.stderr.write(`no Temporal server at ${conn.options.address}: starting a dev server (DB ${db}) ...\n`);
    const port = Number(conn.options.address.split(':').pop()) || 7233;
    server = await startDevServer({ port, dbFile: db });
    conn.options.address = server.address;
  }
  const client = await connectClient(conn);
  const workerConnection = opts.worker === false ? null : await connectWorker(conn);
  process.stderr.write(
    `experiment ${plan.name}: ${plan.arms.length} arms × ${plan.seeds.length} seeds × ${plan.iterations} iterations = ` +
      `${plan.campaigns.length} campaigns on task queue ${plan.taskQueue}, ${plan.parallel} at a time; ` +
      `simulator worlds (${plan.world}, not real models) on ports ${plan.campaigns[0]!.simPort}..${plan.campaigns.at(-1)!.simPort}\n`,
  );
  try {
    const outcome = await runExperiment({
      plan,
      client,
      workerConnection,
      namespace: conn.namespace,
      out: opts.out,
      command: ['rloop', 'experiment', ...process.argv.slice(3)].join(' '),
      reportOnly: opts.reportOnly,
      onProgress: (p) => process.stderr.write(opts.json ? `${JSON.stringify(p)}\n` : `${progressText(p)}\n`),
    });
    process.stdout.write(
      `${experimentMarkdown(outcome.data, ['solverSkill', 'skillGain', 'skillGainPer1kJudgeCalls', 'labelAccuracy', 'taskMixEntropy', 'trivialShare', 'unverifiableShare', 'nearDuplicateShare', 'shareReliable', 'meanRG'])}\n\n` +
        `figures: ${outcome.jsonPath}\nplots: ${outcome.htmlPath}\n` +
        `wall time ${(outcome.wallTimeSeconds / 60).toFixed(1)} min\n`,
    );
    for (const f of outcome.failed) process.stderr.write(`campaign ${f.campaign} failed: ${f.error}\n`);
    if (outcome.failed.length) process.exitCode = 1;
  } finally {
    await client.connection.close();
    await workerConnection?.close();
    await server?.stop();
  }
}
