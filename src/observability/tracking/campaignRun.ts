// A campaign as one MLflow run: found or created by its tag, the config as params, each iteration's headline
// numbers as metrics at step = iteration, files (HTML report, dataset refs) as artifacts. Safe to repeat: the run
// is looked up by tag before any create; metrics carry the timestamp the workflow chose, and MLflow stores an
// identical (key, value, timestamp, step) once, so a retried activity adds no points; artifacts are overwritten.
import { MlflowClient, type MlflowMetric, type MlflowRun, type MlflowTag } from './mlflow';

export const CAMPAIGN_TAG = 'rloop.campaign';
export const RUN_KEY_TAG = 'rloop.runKey';

export interface TrackingTarget {
  uri: string;
  /** MLflow experiment name; default `rloop`. */
  experiment?: string;
}

export interface TrackedIteration {
  campaign: string;
  /** The campaign's workflow id: which campaign run this is (tag rloop.runKey). */
  runKey: string;
  iteration: number;
  /** Milliseconds since the epoch, chosen by the workflow (the same on every retry). */
  timestamp: number;
  /** Logged once, when the run is made (MLflow params cannot change). */
  params: Record<string, string>;
  metrics: Record<string, number | null | undefined>;
  artifacts: Array<{ path: string; content: string; contentType: string }>;
  /** The campaign's last iteration: the run is marked FINISHED. */
  final: boolean;
}

export interface TrackedRun {
  runId: string;
  experimentId: string;
  created: boolean;
  /** Params whose value differs from the one the run already has (kept as it was; MLflow params are immutable). */
  changedParams: string[];
}

/**
 * Nested config → flat `a.b.c` params; arrays of scalars joined, arrays of objects indexed (`regimes.0.name`: MLflow
 * keys allow only alphanumerics, `_ - . : /` and spaces). MLflow caps values at 6000 characters.
 */
export function flattenParams(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value === undefined) return out;
  if (value === null || typeof value !== 'object') {
    out[prefix] = String(value).slice(0, 6000);
    return out;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) out[prefix] = value.join(',').slice(0, 6000);
    else value.forEach((v, i) => flattenParams(v, `${prefix}.${i}`, out));
    return out;
  }
  for (const [k, v] of Object.entries(value)) flattenParams(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

async function findOrCreateRun(
  client: MlflowClient,
  experimentId: string,
  it: Pick<TrackedIteration, 'campaign' | 'runKey' | 'timestamp'>,
): Promise<{ run: MlflowRun; created: boolean }> {
  const [found] = await client.runsByTag(experimentId, RUN_KEY_TAG, it.runKey);
  if (found) return { run: found, created: false };
  const tags: MlflowTag[] = [
    { key: CAMPAIGN_TAG, value: it.campaign },
    { key: RUN_KEY_TAG, value: it.runKey },
    { key: 'mlflow.source.name', value: 'rloop' },
  ];
  return { run: await client.createRun(experimentId, it.campaign, it.timestamp, tags), created: true };
}

/**
 * The campaign's run (found by its tag, or made now): what a training job nests its own run under. Made before the
 * iteration's first tracking call when the first jobs start, which then finds it.
 */
export async function campaignRun(
  target: TrackingTarget,
  campaign: Pick<TrackedIteration, 'campaign' | 'runKey' | 'timestamp'>,
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<{ runId: string; experimentId: string }> {
  const client = new MlflowClient(target.uri, opts.env, opts.signal);
  const experimentId = await client.experimentId(target.experiment ?? 'rloop');
  const { run } = await findOrCreateRun(client, experimentId, campaign);
  return { runId: run.info.run_id, experimentId };
}

export async function trackIteration(
  target: TrackingTarget,
  it: TrackedIteration,
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<TrackedRun> {
  const client = new MlflowClient(target.uri, opts.env, opts.signal);
  const experimentId = await client.experimentId(target.experiment ?? 'rloop');
  const { run: found, created } = await findOrCreateRun(client, experimentId, it);
  const run = created ? found : await client.getRun(found.info.run_id);
  const runId = run.info.run_id;

  const existing = new Map((run.data.params ?? []).map((p) => [p.key, p.value]));
  const changedParams = Object.entries(it.params)
    .filter(([k, v]) => existing.has(k) && existing.get(k) !== v)
    .map(([k]) => k);
  const params = Object.entries(it.params)
    .filter(([k]) => !existing.has(k))
    .map(([key, value]) => ({ key, value }));
  const metrics: MlflowMetric[] = Object.entries(it.metrics).flatMap(([key, value]) =>
    typeof value === 'number' && Number.isFinite(value)
      ? [{ key, value, timestamp: it.timestamp, step: it.iteration }]
      : [],
  );
  await client.logBatch(runId, {
    params,
    metrics,
    tags: [
      { key: 'rloop.lastIteration', value: String(it.iteration) },
      ...(changedParams.length ? [{ key: 'rloop.changedParams', value: changedParams.join(',').slice(0, 5000) }] : []),
    ],
  });
  for (const a of it.artifacts) await client.putArtifact(run, a.path, a.content, a.contentType);
  if (it.final) await client.updateRun(runId, 'FINISHED', it.timestamp);
  return { runId, experimentId, created, changedParams };
}
